// The inner y is another variable: the outer y is still 1 after the block.
int shadow(int x) {
    int y = 1;
    {
        int y = 2;
        x = x + y;
    }
    return x * 10 + y;
}

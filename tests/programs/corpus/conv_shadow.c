// expect: yes
// The inner y is another variable; the outer y stays 0, so the loop never runs.
void shadow(int x) {
    int y = 0;
    {
        int y = 5;
        x = x + 0 * y;
    }
    while (y > 0) {
    }
}

// A continue in the inner loop must not skip the rest of the outer loop's body.
int nested_continue(int n) {
    int s = 0;
    int i = 0;
    while (i < 3) {
        i++;
        int j = 0;
        while (j < 1) {
            j++;
            continue;
        }
        if (n > 100)
            continue;
        s++;
    }
    return s;
}

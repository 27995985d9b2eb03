// return leaves the loop at once: the step x++ does not run after it (no overflow at INT_MAX).
int for_return_step(int x) {
    for (;; x++) {
        if (x == 2147483647)
            return 1;
        if (x > 0)
            return 0;
    }
}

// expect: yes
// Every run from x > 0 reaches x = 100001, where the assume is false: the run is discarded
// (blocked), it does not run forever; runs from x <= 0 end at once. No run is infinite.
void blocks(int x) {
    while (x > 0) {
        if (x > 100000)
            __VERIFIER_assume(0);
        x = x + 1;
    }
}

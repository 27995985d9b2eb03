// expect: yes
// c counts at most 30 halvings, so c++ never overflows (the tool must see that).
int halve(int x) {
    int c = 0;
    while (x > 1) {
        x = x / 2;
        c++;
    }
    return c;
}

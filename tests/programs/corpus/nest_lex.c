// expect: yes
// One loop, lexicographic (x, y): y counts down, and when it is 0, x drops and y is reset.
void lex(int x, int y) {
    while (x > 0) {
        if (y > 0)
            y--;
        else {
            x--;
            y = 100;
        }
    }
}

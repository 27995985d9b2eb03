// expect: yes
// '\n' is 10.
void char_escape(int x) {
    x = '\n';
    while (x != 10) {
    }
}

// expect: yes
void down(int n) {
    for (int i = n; i > 0; i--) {
    }
}

// && and || short-circuit: y / x runs only when x > 0.
int logic(int x, int y) {
    int a = (x > 0 && y / x > 1) || (x < 0 || y == 3);
    int b = !(x != y) && !(x == 0);
    int c = !x + !!y;
    return a * 100 + b * 10 + c;
}

int compound(int x, int y) {
    x += y;
    x -= 3;
    x *= 2;
    if (y != 0)
        x /= y;
    if (y != 0)
        x %= y;
    x++;
    --x;
    return x;
}

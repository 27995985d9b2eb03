void g2(int x, int y) {
   while (x > y)
      x = x - y;
}

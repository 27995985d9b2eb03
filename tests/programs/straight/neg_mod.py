def neg_mod(a):
    return (-a) % 7 + a // -3 + (a % -4) * 100

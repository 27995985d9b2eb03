def chain(x, y, z):
    return 1 if x < y <= z else (2 if x != y else 3)

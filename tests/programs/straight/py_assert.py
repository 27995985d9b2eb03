def py_assert(x):
    assert x != 7
    return x

# expect: yes
# Lexicographic (a, b): b is reset to the (smaller) a each time a drops.
def lex(a, b):
    while a > 0:
        if b > 0:
            b -= 1
        else:
            a -= 1
            b = a
    return a + b

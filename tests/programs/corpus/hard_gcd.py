# expect: yes
# |b| decreases: |a % b| < |b|.
def gcd(a, b):
    while b != 0:
        t = a % b
        a = b
        b = t
    return a

// Character constants with escapes have their real codes; plain char is signed, so '\377' is -1.
int char_consts(int x) {
    return '\0' + '\\' * 2 + '\'' * 3 + '\x41' * 5 + '\101' * 7 + '\377' * 11 + '\t' * 13 + '"' * 17
        + '\r' * 19 + '\a' + '/' + x;
}

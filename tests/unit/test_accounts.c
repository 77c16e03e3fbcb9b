/* passwd(5)/group(5) parsing from bytes, including hostile lines. */
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "tap.h"

int main(void)
{
	char pw[] = "root:x:0:0:root:/root:/bin/bash\n"
		    "# comment:x:5:5\n"
		    "daemon:x:1:1::/:/bin/false\n"
		    "broken line without colons\n"
		    "neg:x:-1:0::/:\n"
		    "big:x:4294967296:0::/:\n"
		    "esc\x1b[31m:x:1001:1001::/:\n"
		    "dup:x:0:0::/:\n"
		    ":x:7:7::/:\n"
		    "last:x:65534:65534::/:";   /* no final newline */
	struct accounts a = { 0 };
	struct account *v;
	size_t n;

	REQUIRE(accounts_parse(pw, sizeof(pw) - 1, &v, &n) == 0);
	a.users = v;
	a.nusers = n;
	const struct account *x = accounts_user(&a, 0);
	CHECK(x && x->len == 4 && memcmp(x->name, "root", 4) == 0);   /* first wins */
	x = accounts_user(&a, 1001);
	CHECK(x && x->len == 8 && memcmp(x->name, "esc\x1b[31m", 8) == 0);
	x = accounts_user(&a, 65534);
	CHECK(x && x->len == 4 && memcmp(x->name, "last", 4) == 0);
	CHECK(accounts_user(&a, 5) == NULL);          /* a comment line */
	CHECK(accounts_user(&a, 7) == NULL);          /* empty name */
	CHECK(accounts_user(&a, 0xffffffffu) == NULL);
	CHECK(accounts_user(&a, 2) == NULL);
	CHECK(n == 5);
	free(v);

	struct accounts b;
	CHECK(accounts_load(&b, "/nonexistent/passwd", "/nonexistent/group") < 0);
	CHECK(accounts_user(&b, 0) == NULL && accounts_group(&b, 0) == NULL);
	accounts_free(&b);
	return tap_done("accounts");
}

/*
 * Test oracle for src/render/mnl.ts: runs the system libmnl's mnl_nlmsg_fprintf() over many
 * cases in one process.
 *
 * Input (stdin), one case per line:   EHS HEX
 *   EHS  the extra_header_size argument, decimal (parsed as an unsigned long long);
 *   HEX  the buffer, as an even number of hex digits (may be empty).
 * Output (stdout), for each case: exactly what mnl_nlmsg_fprintf(stdout, buf, len, ehs) printed,
 * then the line "@@nlctl-oracle-end N@@" (N = 0-based case number). libmnl's own lines always
 * begin with '-' or '|', so the marker cannot be confused with them.
 *
 * The buffer is copied into a zeroed allocation 4 bytes longer than the data. libmnl reads the
 * last payload word of a message as a whole, so for an unpadded final message it reads up to 3
 * bytes past the data; those bytes are then 0x00, which is the behaviour nlctl chose to emulate.
 *
 * A message that passes libmnl's length check only because nlmsg_len >= 2^31 looks negative
 * when compared as an int would make libmnl read far outside the buffer. The oracle detects that
 * walk before calling libmnl and prints "@@nlctl-oracle-undefined@@" instead of the dump.
 *
 * Build: cc -O2 -o test/.bin/mnl_dump test/oracle/mnl_dump.c -lmnl   (needs libmnl-dev)
 */
#include <libmnl/libmnl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Our own replay of the message walk, only to spot the nlmsg_len >= 2^31 case. */
static int walk_reads_out_of_bounds(const unsigned char *buf, size_t len)
{
	long long rem = (long long)len;
	size_t off = 0;

	while (rem >= 16) {
		uint32_t mlen;

		memcpy(&mlen, buf + off, sizeof(mlen));
		if (mlen < 16)
			return 0;
		if (mlen >= 0x80000000u)
			return 1;
		if ((long long)mlen > rem)
			return 0;
		off += (mlen + 3u) & ~3u;
		rem -= (long long)((mlen + 3u) & ~3u);
	}
	return 0;
}

int main(void)
{
	static char outbuf[1 << 20];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long count = 0;

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	while ((n = getline(&line, &cap, stdin)) != -1) {
		char *p = line, *end;
		unsigned long long ehs;
		size_t digits = 0, len, k;
		unsigned char *buf;

		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;

		ehs = strtoull(p, &end, 10);
		if (end == p) {
			fprintf(stderr, "mnl_dump: case %lu: missing extra header size\n", count);
			return 2;
		}
		p = end;
		while (*p == ' ')
			p++;
		while (hex_value((unsigned char)p[digits]) >= 0)
			digits++;
		if (p[digits] != '\0' || digits % 2 != 0) {
			fprintf(stderr, "mnl_dump: case %lu: bad hex\n", count);
			return 2;
		}
		len = digits / 2;
		buf = calloc(len + 4, 1);
		if (buf == NULL) {
			fprintf(stderr, "mnl_dump: out of memory\n");
			return 2;
		}
		for (k = 0; k < len; k++)
			buf[k] = (unsigned char)(hex_value((unsigned char)p[2 * k]) << 4 |
						 hex_value((unsigned char)p[2 * k + 1]));

		if (walk_reads_out_of_bounds(buf, len))
			fputs("@@nlctl-oracle-undefined@@\n", stdout);
		else
			mnl_nlmsg_fprintf(stdout, buf, len, (size_t)ehs);
		fprintf(stdout, "@@nlctl-oracle-end %lu@@\n", count);
		free(buf);
		count++;
	}
	free(line);
	if (fflush(stdout) != 0) {
		perror("mnl_dump: stdout");
		return 2;
	}
	return 0;
}

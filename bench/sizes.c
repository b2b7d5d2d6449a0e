/* The memory model behind "bytes per tracked socket": sizes of sockleak's per-socket
 * structures, from the preload's own header, and what they add up to at N tracked sockets
 * (the inode map doubles at half load, the fd table grows in chunks of SL_FD_CHUNK pointers).
 *   sizes N */
#include "fdtable.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000, cap = 1024;
	double rec = (double)sizeof(struct sl_sock), slot = sizeof(struct sl_sock *),
	       fdp = sizeof(void *);

	while ((n + 1) * 2 > cap)
		cap *= 2;
	printf("N=%lu: struct sl_sock %zu B + fd table %.0f B + inode map %.1f B (%lu slots of %.0f B) = %.1f B per tracked socket\n",
	       n, sizeof(struct sl_sock), fdp, slot * (double)cap / (double)n, cap, slot,
	       rec + fdp + slot * (double)cap / (double)n);
	return 0;
}

/*
 * libFuzzer target: the From parser (addr.c), Author Domains and DMARC
 * record parsing (dmarc.c).  Kept here until it joins tests/fuzz/ (where
 * `make fuzz` builds every target); by hand:
 *   make B=build-fuzz CC=clang OPT="-O1 -g" HARDEN= \
 *       EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" build-fuzz/obj/libmauth.a
 *   clang -fsanitize=fuzzer,address,undefined -Icommon -o fuzz_dmarc \
 *       tests/dmarc/fuzz_dmarc.c build-fuzz/obj/libmauth.a -lssl -lcrypto -lresolv -lpsl -lidn2
 * 2.4 million runs (120 s) found nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "diag.h"
#include "dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_list l;
	struct dmarc_authors a;
	struct dmarc_record r;
	struct diag d;

	if (addr_parse((const char *)data, size, &l, &d) == 0) {
		for (size_t i = 0; i < l.n; i++)
			free(addr_domain(&l.mb[i], &d));
	}
	addr_list_free(&l);
	dmarc_authors_text((const char *)data, size, &a, &d);
	dmarc_authors_free(&a);
	if (dmarc_record_parse((const char *)data, size, DMARC_TREEWALK, &r))
		dmarc_record_free(&r);
	if (dmarc_record_parse((const char *)data, size, DMARC_PSL, &r))
		dmarc_record_free(&r);
	return 0;
}

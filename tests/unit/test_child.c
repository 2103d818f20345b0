/*
 * Host unit tests for partitions/root/child.c: the root's child creation
 * and teardown against a fake hypervisor that records every call. The
 * order and inputs are those of Linux's mshv (hyperv-root-abi.md 3, 8,
 * 9.2): CreatePartition with a self deposit on INSUFFICIENT_MEMORY,
 * Deposit 208 + Initialize, Deposit 90 + CreateVp per VP, MapGpaPages in
 * batches of at most 509 resumed after a partial INSUFFICIENT_MEMORY,
 * SetVpRegisters, EXPLICIT_SUSPEND = 0 to start; Finalize, Withdraw until
 * NO_RESOURCES, Delete, and every page back to the root's free pages.
 * The root's free pages are a fake page allocator over a host arena.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <elf.h>
#include <cmocka.h>

#include "partitions/root/child.h"
#include "partitions/root/root.h"
#include "arch/x86/cpu.h"		/* the stand-in: CPUID and MSRs are this test's */
#include "core/abi/hypercall.h"

#define PAGE		4096ull
#define ARENA_PAGES	8192		/* 32 MiB */
#define CHILD_ID	0x42
#define MAX_CALLS	4096

/* ---- the root's free pages, faked ---- */

static uint8_t *arena;
static bool used[ARENA_PAGES];

uint64_t pmem_alloc(uint64_t n, uint64_t align)
{
	uint64_t step = align / PAGE;

	for (uint64_t i = 0; i + n <= ARENA_PAGES; i += step) {
		uint64_t j = 0;

		while (j < n && !used[i + j])
			j++;
		if (j == n) {
			memset(used + i, 1, n);
			memset(arena + i * PAGE, 0, n * PAGE);
			return (uint64_t)(arena + i * PAGE);
		}
	}
	return 0;
}

bool pmem_free(uint64_t pa, uint64_t n)
{
	uint64_t i = (pa - (uint64_t)arena) / PAGE;

	assert_true(pa >= (uint64_t)arena && i + n <= ARENA_PAGES && pa % PAGE == 0);
	for (uint64_t j = 0; j < n; j++) {
		assert_true(used[i + j]);	/* never a page freed twice */
		used[i + j] = false;
	}
	return true;
}

uint64_t pmem_free_pages(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < ARENA_PAGES; i++)
		n += !used[i];
	return n;
}

static unsigned pages_used(void)
{
	return ARENA_PAGES - (unsigned)pmem_free_pages();
}

/* ---- the root's console and panics ---- */

static char last_say[512];
static char said[16384];		/* every line, each ending in '\n' */

void say(const char *fmt, ...)
{
	va_list ap;
	size_t at = strlen(said);

	va_start(ap, fmt);
	vsnprintf(last_say, sizeof(last_say), fmt, ap);
	va_end(ap);
	if (at + strlen(last_say) + 2 < sizeof(said)) {
		strcat(said, last_say);
		strcat(said, "\n");
	}
}

/* The console's pump: the test takes children's lines itself (drain_outputs). */
void console_pump(void)
{
}

/* Children's lines as the serial sender takes them, into `said`. */
static void drain_outputs(void)
{
	char l[CHILDOUT_LINE_MAX];
	bool more;

	while (child_output_next(l, sizeof(l), &more))
		say("%s", l);
}

static bool was_said(const char *line)
{
	char l[600];

	drain_outputs();
	snprintf(l, sizeof(l), "%s\n", line);
	return strstr(said, l) != NULL;
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	(void)fmt;
	fail_msg("panic at %s:%d", file, line);
	abort();
}

const char *hv_status_name(uint16_t status)
{
	(void)status;
	return "status";
}

/* ---- the fake hypervisor ---- */

static uint8_t *vp_pages[2];		/* the intercept-message pages it hands out */
static struct hv_message_page *simp_page;

struct call {
	uint16_t code;
	uint64_t id;		/* the partition the call is for */
	unsigned count;		/* reps asked for */
	uint64_t arg;		/* CreateVp: VP; MapGpa: first GFN; SetVpRegisters: VP */
};

static struct {
	struct call calls[MAX_CALLS];
	unsigned ncalls;
	unsigned self_wanted;		/* CreatePartition: pages the root must deposit first */
	unsigned self_got, child_got;
	uint64_t held[ARENA_PAGES];	/* PFNs deposited into the child */
	unsigned nheld;
	bool init_short, vp_short;	/* one INSUFFICIENT_MEMORY each */
	unsigned map_partial;		/* MapGpaPages: complete this many reps, then INSUFFICIENT_MEMORY */
	uint64_t map_pfn[4096];		/* GFN -> PFN */
	uint64_t map_flags;
	struct hv_input_create_partition create_in;
	unsigned regs_set[SCRIPT_VCPUS_MAX];
	uint64_t rip[SCRIPT_VCPUS_MAX], suspend[SCRIPT_VCPUS_MAX];
	bool finalized;
	uint16_t fail_code;		/* this call fails with INVALID_PARAMETER */
	struct hv_register_assoc last_regs[4];	/* the last SetVpRegisters' first elements */
	unsigned nlast_regs;
} hv;

static void record(uint16_t code, uint64_t id, unsigned count, uint64_t arg)
{
	assert_true(hv.ncalls < MAX_CALLS);
	hv.calls[hv.ncalls++] = (struct call){ code, id, count, arg };
}

/* The root's statics are identity-mapped here: their GPA is their address. */
uint64_t root_image_gpa(const void *va)
{
	return (uint64_t)va;
}

static char last_name[HV_X_NAME_MAX];
static uint64_t vp_flags[8];		/* HvCallCreateVp's flags per VP index */

uint16_t hv_fast(uint16_t code, uint64_t in1, uint64_t in2, uint64_t *out)
{
	(void)out;
	if (code == HVCALL_X_PARTITION_NAME) {	/* our own call, not mshv's: not in the order */
		assert_int_equal(in1, CHILD_ID);
		memcpy(last_name, (const void *)in2, sizeof(last_name));
		return HV_STATUS_SUCCESS;
	}
	if (code == HVCALL_X_PARTITION_STATS) {	/* our own call: the root counts its deposits */
		struct hv_x_partition_stats st;

		memset(&st, 0, sizeof(st));
		if (in1 == CHILD_ID)
			st.pool_held = hv.nheld;	/* all in use, as far as the root can tell */
		memcpy((void *)in2, &st, sizeof(st));
		return HV_STATUS_SUCCESS;
	}
	record(code, in1, 0, 0);
	if (code == hv.fail_code)
		return HV_STATUS_INVALID_PARAMETER;
	switch (code) {
	case HVCALL_INITIALIZE_PARTITION:
		assert_int_equal(in1, CHILD_ID);
		if (hv.init_short) {
			hv.init_short = false;
			return HV_STATUS_INSUFFICIENT_MEMORY;
		}
		return HV_STATUS_SUCCESS;
	case HVCALL_FINALIZE_PARTITION:
		hv.finalized = true;
		return HV_STATUS_SUCCESS;
	case HVCALL_DELETE_PARTITION:
		assert_true(hv.finalized);
		assert_int_equal(hv.nheld, 0);	/* everything withdrawn first */
		memset(hv.map_pfn, 0, sizeof(hv.map_pfn));	/* the next child's GFNs are new */
		hv.finalized = false;
		return HV_STATUS_SUCCESS;
	default:
		fail_msg("unexpected fast call %#x", code);
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	}
}

uint16_t hv_call(uint16_t code, const void *in, size_t in_len, void *out, size_t out_len)
{
	if (code == HVCALL_CREATE_PARTITION) {
		struct hv_output_create_partition o = { CHILD_ID };

		assert_int_equal(in_len, sizeof(hv.create_in));
		memcpy(&hv.create_in, in, in_len);
		record(code, 0, 0, 0);
		if (hv.self_got < hv.self_wanted)
			return HV_STATUS_INSUFFICIENT_MEMORY;
		assert_int_equal(out_len, sizeof(o));
		memcpy(out, &o, sizeof(o));
		return code == hv.fail_code ? HV_STATUS_INVALID_PARAMETER : HV_STATUS_SUCCESS;
	}
	if (code == HVCALL_CREATE_VP) {
		struct hv_input_create_vp v;

		assert_int_equal(in_len, sizeof(v));
		memcpy(&v, in, sizeof(v));
		record(code, v.partition_id, 0, v.vp_index);
		assert_int_equal(v.subnode_type, HV_SUBNODE_ANY);
		if (v.vp_index < 8)
			vp_flags[v.vp_index] = v.flags;
		if (hv.vp_short) {
			hv.vp_short = false;
			return HV_STATUS_INSUFFICIENT_MEMORY;
		}
		return code == hv.fail_code ? HV_STATUS_INVALID_PARAMETER : HV_STATUS_SUCCESS;
	}
	if (code == HVCALL_MAP_VP_STATE_PAGE || code == HVCALL_UNMAP_VP_STATE_PAGE) {
		struct hv_input_map_vp_state_page m;
		struct hv_output_map_vp_state_page o;

		memset(&m, 0, sizeof(m));
		memcpy(&m, in, in_len);
		record(code, m.partition_id, 0, m.vp_index);
		assert_int_equal(m.type, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE);
		assert_int_equal(m.flags, 0);		/* the hypervisor chooses the page */
		if (code == HVCALL_MAP_VP_STATE_PAGE) {
			assert_int_equal(in_len, 24);
			assert_true(m.vp_index < 2);
			o.map_location = (uint64_t)vp_pages[m.vp_index] >> 12;
			memcpy(out, &o, sizeof(o));
		}
		return HV_STATUS_SUCCESS;
	}
	fail_msg("unexpected memory call %#x", code);
	return HV_STATUS_INVALID_HYPERCALL_CODE;
}

static uint16_t deposit(const void *hdr, const uint64_t *pfns, unsigned count)
{
	struct hv_input_deposit_memory h;

	memcpy(&h, hdr, sizeof(h));
	record(HVCALL_DEPOSIT_MEMORY, h.partition_id, count, 0);
	assert_true(count >= 1 && count <= HV_DEPOSIT_MAX);
	for (unsigned i = 0; i < count; i++) {
		assert_true(used[((pfns[i] << 12) - (uint64_t)arena) / PAGE]);	/* the root's, allocated */
		if (h.partition_id == HV_PARTITION_ID_SELF) {
			if (i)
				assert_int_equal(pfns[i], pfns[i - 1] + 1);	/* one block */
			hv.self_got++;
		} else {
			assert_int_equal(h.partition_id, CHILD_ID);
			hv.held[hv.nheld++] = pfns[i];
			hv.child_got++;
		}
	}
	return HV_STATUS_SUCCESS;
}

static uint16_t map_gpa(const void *hdr, const uint64_t *pfns, unsigned count, unsigned *done)
{
	struct hv_input_map_gpa_pages h;
	unsigned n = count;

	memcpy(&h, hdr, sizeof(h));
	record(HVCALL_MAP_GPA_PAGES, h.target_partition_id, count, h.target_gpa_base);
	assert_true(count <= HV_MAP_GPA_MAX);
	hv.map_flags = h.map_flags;
	if (hv.map_partial && hv.map_partial < count)
		n = hv.map_partial;
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(hv.map_pfn[h.target_gpa_base + i], 0);	/* each GFN once */
		hv.map_pfn[h.target_gpa_base + i] = pfns[i];
	}
	*done = n;
	if (n < count) {
		hv.map_partial = 0;
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}
	return HV_STATUS_SUCCESS;
}

static uint16_t set_regs(const void *hdr, const struct hv_register_assoc *r, unsigned count)
{
	struct hv_input_vp_registers_header h;

	memcpy(&h, hdr, sizeof(h));
	record(HVCALL_SET_VP_REGISTERS, h.partition_id, count, h.vp_index);
	assert_true(count <= HV_SET_VP_REGISTERS_MAX && h.vp_index < SCRIPT_VCPUS_MAX);
	assert_int_equal(h.input_vtl, 0);
	for (unsigned i = 0; i < count; i++) {
		if (r[i].name == HV_X64_REGISTER_RIP)
			hv.rip[h.vp_index] = r[i].value.reg64;
		if (r[i].name == HV_REGISTER_EXPLICIT_SUSPEND)
			hv.suspend[h.vp_index] = r[i].value.reg64 | 0x100;	/* 0x100: was set */
	}
	hv.regs_set[h.vp_index] += count;
	memcpy(hv.last_regs, r, MIN(count, 4u) * sizeof(*r));
	hv.nlast_regs = count;
	return HV_STATUS_SUCCESS;
}

static uint16_t withdraw(const void *hdr, unsigned count, uint64_t *out, unsigned *done)
{
	struct hv_input_withdraw_memory h;
	unsigned n = 0;

	memcpy(&h, hdr, sizeof(h));
	record(HVCALL_WITHDRAW_MEMORY, h.partition_id, count, 0);
	assert_true(hv.finalized);
	while (n < count && hv.nheld)
		out[n++] = hv.held[--hv.nheld];
	*done = n;
	return n < count ? HV_STATUS_NO_RESOURCES : HV_STATUS_SUCCESS;
}

uint16_t hv_rep(uint16_t code, const void *hdr, size_t hdr_len, const void *elems,
		size_t elem_len, unsigned count, void *out, size_t out_elem_len, unsigned *done)
{
	unsigned d = count;
	uint16_t st;

	assert_true(hdr_len + elem_len * count <= 4096 && out_elem_len * count <= 4096);
	switch (code) {
	case HVCALL_DEPOSIT_MEMORY:
		st = deposit(hdr, elems, count);
		break;
	case HVCALL_MAP_GPA_PAGES:
		st = map_gpa(hdr, elems, count, &d);
		break;
	case HVCALL_SET_VP_REGISTERS:
		st = set_regs(hdr, elems, count);
		break;
	case HVCALL_WITHDRAW_MEMORY:
		st = withdraw(hdr, count, out, &d);
		break;
	default:
		fail_msg("unexpected rep call %#x", code);
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	}
	if (done)
		*done = d;
	return st;
}

/* ---- the root's SynIC: CPUID, MSRs and its IDT, faked ---- */

static struct {
	uint64_t simp, siefp, scontrol, sint0;
	unsigned eoms;
	bool synic;		/* CPUID says SynIC MSRs are there */
	struct hv_message refill;	/* type not NONE: every EOM puts it in the slot again */
	uint8_t vector;
} cpu;

struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r = { 0, 0, 0, 0 };

	(void)subleaf;
	if (leaf == 0x40000003u && cpu.synic)
		r.eax = HV_PRIV_ACCESS_SYNIC_REGS;
	return r;
}

uint64_t rdmsr(uint32_t msr)
{
	switch (msr) {
	case HV_MSR_SIMP: return cpu.simp;
	case HV_MSR_SIEFP: return cpu.siefp;
	default: fail_msg("rdmsr %#x", msr); return 0;
	}
}

void wrmsr(uint32_t msr, uint64_t v)
{
	switch (msr) {
	case HV_MSR_SIMP: cpu.simp = v; break;
	case HV_MSR_SIEFP: cpu.siefp = v; break;
	case HV_MSR_SCONTROL: cpu.scontrol = v; break;
	case HV_MSR_SINT0: cpu.sint0 = v; break;
	case HV_MSR_EOM:
		cpu.eoms++;
		if (cpu.refill.header.message_type != HVMSG_NONE)	/* a child that posts at once */
			memcpy(&simp_page->sint_message[0], &cpu.refill, sizeof(cpu.refill));
		break;
	default: fail_msg("wrmsr %#x", msr);
	}
}

void root_idt_set(uint8_t vector, void (*isr)(void))
{
	assert_ptr_equal(isr, root_wake_isr);
	cpu.vector = vector;
}

void root_wake_isr(void)
{
}

/* ---- the image: a small ELF64 ---- */

static uint8_t image[0x2000];

static void make_elf64(void)
{
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_entry = 0x100000, .e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 1,
	};
	Elf64_Phdr ph = {
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0x1000,
		.p_vaddr = 0x100000, .p_paddr = 0x100000, .p_filesz = 0x1000,
		.p_memsz = 0x1000, .p_align = 0x1000,
	};

	memset(image, 0, sizeof(image));
	memcpy(image, &eh, sizeof(eh));
	memcpy(image + sizeof(eh), &ph, sizeof(ph));
	memset(image + 0x1000, 0xf4, 0x1000);		/* hlt */
}

static struct script_create cfg(unsigned vcpus, uint64_t mem)
{
	struct script_create c;

	memset(&c, 0, sizeof(c));
	strcpy(c.kernel, "k");
	c.vcpus = vcpus;
	c.mem_bytes = mem;
	return c;
}

/* child_create as the shell calls it: the description named, the image the ELF64 above. */
static bool create(const char *name, const struct script_create *in)
{
	static struct script_create c;
	static struct child_image img;

	c = *in;
	strcpy(c.name, name);
	memset(&img, 0, sizeof(img));
	img.kernel = image;
	img.kernel_len = sizeof(image);
	return child_create(&c, &img) != NULL;
}

/* What the shell provides child.c: the TSC, its rate, a description's image. */
static uint64_t tsc;
uint64_t rdtsc(void)
{
	return tsc += 1000;
}

int64_t root_unix_time(void)
{
	return 0;
}

uint64_t root_tsc_khz(void)
{
	return 1000000;
}

bool child_image_of(const struct script_create *c, struct child_image *img, char *why,
		    size_t size)
{
	(void)why;
	(void)size;
	assert_string_equal(c->kernel, "k");
	memset(img, 0, sizeof(img[0]));
	img->kernel = image;
	img->kernel_len = sizeof(image);
	return true;
}

static int setup(void **state)
{
	(void)state;
	if (!arena) {
		arena = aligned_alloc(2u << 20, ARENA_PAGES * PAGE);
		vp_pages[0] = aligned_alloc(PAGE, PAGE);
		vp_pages[1] = aligned_alloc(PAGE, PAGE);
		simp_page = aligned_alloc(PAGE, PAGE);
	}
	assert_non_null(arena);
	memset(vp_pages[0], 0, PAGE);
	memset(vp_pages[1], 0, PAGE);
	memset(simp_page, 0, PAGE);
	memset(&cpu, 0, sizeof(cpu));
	said[0] = '\0';
	memset(used, 0, sizeof(used));
	memset(&hv, 0, sizeof(hv));
	make_elf64();
	return 0;
}

/* Index of the first call with this code (and id, if not ~0) at or after `from`. */
static unsigned find(uint16_t code, unsigned from)
{
	for (unsigned i = from; i < hv.ncalls; i++)
		if (hv.calls[i].code == code)
			return i;
	return ~0u;
}

static void test_create_sequence(void **state)
{
	const struct script_create c = cfg(2, 4u << 20);
	struct child *ch;
	unsigned i, init, vp0, vp1, map;

	(void)state;
	hv.self_wanted = 40;		/* two block deposits of 32 */
	hv.init_short = hv.vp_short = true;
	hv.map_partial = 100;
	assert_true(create("web", &c));
	assert_string_equal(last_name, "web");		/* HVCALL_X_PARTITION_NAME */
	assert_int_equal(vp_flags[0], 0);		/* no cpus=: the hypervisor places them */
	assert_int_equal(vp_flags[1], 0);
	/* CreatePartition: EXO | INTERCEPT_MESSAGE_PAGE, 0x0609; self deposits in 32-page blocks */
	assert_int_equal(hv.create_in.flags, HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
			 HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED);
	assert_int_equal(hv.create_in.compatibility_version, 0x0609);
	assert_int_equal(hv.calls[0].code, HVCALL_CREATE_PARTITION);
	assert_int_equal(hv.calls[1].code, HVCALL_DEPOSIT_MEMORY);
	assert_int_equal(hv.calls[1].id, HV_PARTITION_ID_SELF);
	assert_int_equal(hv.calls[1].count, 32);
	assert_int_equal(hv.calls[2].code, HVCALL_CREATE_PARTITION);
	assert_int_equal(hv.calls[3].count, 32);
	assert_int_equal(hv.calls[4].code, HVCALL_CREATE_PARTITION);
	/* Deposit 208 then Initialize, a one-page deposit and a retry */
	assert_int_equal(hv.calls[5].code, HVCALL_DEPOSIT_MEMORY);
	assert_int_equal(hv.calls[5].id, CHILD_ID);
	assert_int_equal(hv.calls[5].count, 208);
	init = find(HVCALL_INITIALIZE_PARTITION, 0);
	assert_int_equal(init, 6);
	assert_int_equal(hv.calls[7].code, HVCALL_DEPOSIT_MEMORY);
	assert_int_equal(hv.calls[7].count, 1);
	assert_int_equal(hv.calls[8].code, HVCALL_INITIALIZE_PARTITION);
	/* per VP: Deposit 90, CreateVp (retried after one page on VP 0), its intercept page */
	assert_int_equal(hv.calls[9].count, 90);
	vp0 = find(HVCALL_CREATE_VP, 0);
	assert_int_equal(vp0, 10);
	assert_int_equal(hv.calls[11].count, 1);
	assert_int_equal(hv.calls[12].code, HVCALL_CREATE_VP);
	assert_int_equal(hv.calls[13].code, HVCALL_MAP_VP_STATE_PAGE);
	assert_int_equal(hv.calls[14].count, 90);
	vp1 = find(HVCALL_CREATE_VP, 14);
	assert_int_equal(vp1, 15);
	assert_int_equal(hv.calls[vp1].arg, 1);
	/* MapGpaPages: 1024 pages, batches of at most 509, resumed after the partial one */
	map = find(HVCALL_MAP_GPA_PAGES, vp1);
	assert_true(map != ~0u);
	assert_int_equal(hv.calls[map].count, 509);
	assert_int_equal(hv.calls[map].arg, 0);
	assert_int_equal(hv.calls[map + 1].code, HVCALL_DEPOSIT_MEMORY);
	assert_int_equal(hv.calls[map + 1].count, 256);
	assert_int_equal(hv.calls[map + 2].arg, 100);		/* from the reps completed */
	assert_int_equal(hv.map_flags, HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE |
			 HV_MAP_GPA_EXECUTABLE | HV_MAP_GPA_ADJUSTABLE);
	ch = child_find("web");
	assert_non_null(ch);
	for (i = 0; i < 1024; i++) {
		uint64_t pa = hv.map_pfn[i] << 12;

		assert_int_equal(pa, ch->chunks[i / 512] + (i % 512) * PAGE);
	}
	assert_int_equal(hv.map_pfn[1024], 0);
	/* the image in the RAM mapped at GPA 0x100000, read through the root's map */
	assert_int_equal(((uint8_t *)ch->chunks[0])[0x100000], 0xf4);
	/* both VPs' registers set; RIP the entry; nothing started yet */
	assert_int_equal(hv.regs_set[0], 22);
	assert_int_equal(hv.regs_set[1], 22);
	assert_int_equal(hv.rip[1], 0x100000);
	assert_int_equal(hv.suspend[0], 0);
	assert_int_equal(ch->state, CHILD_CREATED);
	assert_int_equal(ch->id, CHILD_ID);
	/* start: EXPLICIT_SUSPEND = 0 on each VP */
	assert_true(child_start(ch));
	assert_int_equal(hv.suspend[0], 0x100);
	assert_int_equal(hv.suspend[1], 0x100);
	assert_int_equal(ch->state, CHILD_RUNNING);
	assert_int_equal(child_live_count(), 1);
	assert_false(create("web", &c));	/* the name is taken */
	child_destroy(ch);
}

static void test_teardown_returns_every_page(void **state)
{
	const struct script_create c = cfg(1, 2u << 20);
	struct child *ch;
	unsigned before = pages_used(), fin, wd;

	(void)state;
	assert_true(create("db", &c));
	ch = child_find("db");
	assert_true(pages_used() > before + 512);		/* its RAM and the deposits */
	hv.ncalls = 0;
	child_destroy(ch);
	/* UnmapVpStatePage, Finalize, Withdraw until NO_RESOURCES, Delete */
	assert_int_equal(hv.calls[0].code, HVCALL_UNMAP_VP_STATE_PAGE);
	assert_int_equal(hv.calls[1].code, HVCALL_FINALIZE_PARTITION);
	fin = find(HVCALL_FINALIZE_PARTITION, 0);
	wd = find(HVCALL_WITHDRAW_MEMORY, 0);
	assert_true(fin < wd);
	assert_int_equal(hv.calls[wd].count, HV_WITHDRAW_MAX);
	assert_int_equal(hv.calls[hv.ncalls - 1].code, HVCALL_DELETE_PARTITION);
	assert_int_equal(hv.calls[hv.ncalls - 2].code, HVCALL_WITHDRAW_MEMORY);
	assert_int_equal(pages_used(), before);			/* every page back */
	assert_null(child_find("db"));
	assert_int_equal(child_live_count(), 0);
}

static void test_multiboot_starts_vp0_only(void **state)
{
	const struct script_create c = cfg(2, 4u << 20);
	uint32_t hdr[3] = { 0x1badb002u, 0, -0x1badb002u };
	Elf32_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_386, .e_version = EV_CURRENT,
		.e_entry = 0x100000, .e_phoff = sizeof(Elf32_Ehdr), .e_ehsize = sizeof(Elf32_Ehdr),
		.e_phentsize = sizeof(Elf32_Phdr), .e_phnum = 1,
	};
	Elf32_Phdr ph = {
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0x1000,
		.p_vaddr = 0x100000, .p_paddr = 0x100000, .p_filesz = 0x1000,
		.p_memsz = 0x1000, .p_align = 0x1000,
	};
	struct child *ch;

	(void)state;
	memset(image, 0, sizeof(image));
	memcpy(image, &eh, sizeof(eh));
	memcpy(image + sizeof(eh), &ph, sizeof(ph));
	memcpy(image + 0x1000, hdr, sizeof(hdr));
	assert_true(create("mb", &c));
	ch = child_find("mb");
	assert_int_equal(hv.regs_set[1], 0);			/* the AP keeps its reset state */
	assert_true(child_start(ch));
	assert_int_equal(hv.suspend[0], 0x100);
	assert_int_equal(hv.suspend[1], 0);			/* and stays suspended */
	child_destroy(ch);
}

static void test_failures_leave_nothing(void **state)
{
	struct script_create c = cfg(1, 2u << 20);
	unsigned before = pages_used();

	(void)state;
	/* a bad image: refused before any call, nothing taken */
	memset(image, 0, sizeof(image));
	hv.ncalls = 0;
	assert_false(create("bad", &c));
	assert_int_equal(pages_used(), before);
	assert_null(child_find("bad"));
	assert_int_equal(hv.ncalls, 0);
	/* CreateVp refused */
	make_elf64();
	hv.fail_code = HVCALL_CREATE_VP;
	assert_false(create("novp", &c));
	assert_int_equal(pages_used(), before);
	/* CreatePartition refused: nothing to tear down, the RAM back */
	hv.fail_code = HVCALL_CREATE_PARTITION;
	hv.ncalls = 0;
	assert_false(create("nopart", &c));
	assert_int_equal(pages_used(), before);
	assert_int_equal(find(HVCALL_DELETE_PARTITION, 0), ~0u);
	/* more RAM than the root has */
	hv.fail_code = 0;
	c.mem_bytes = 1u << 30;
	hv.ncalls = 0;
	assert_false(create("huge", &c));
	assert_int_equal(hv.ncalls, 0);
	assert_int_equal(pages_used(), before);
}

/*
 * pool=N: nothing deposited ahead, one page per INSUFFICIENT_MEMORY, N in
 * all; a call still short when they are spent fails the creation, and
 * every page comes back.
 */
static void test_deposit_budget(void **state)
{
	struct script_create c = cfg(1, 2u << 20);
	unsigned before = pages_used();
	struct child *ch;

	(void)state;
	make_elf64();
	c.pool_pages = 4;
	hv.init_short = hv.vp_short = true;
	hv.map_partial = 1;
	hv.child_got = 0;
	assert_true(create("exact", &c));
	/* Initialize 1, CreateVp 1, its message page 1, MapGpaPages 1 */
	assert_int_equal(hv.child_got, 4);
	ch = child_find("exact");
	assert_int_equal(ch->deposited, 4);
	child_destroy(ch);
	assert_int_equal(pages_used(), before);
	/* one page short: MapGpaPages' INSUFFICIENT_MEMORY is not answered */
	c.pool_pages = 3;
	hv.init_short = hv.vp_short = true;
	hv.map_partial = 1;
	hv.child_got = 0;
	assert_false(create("short", &c));
	assert_int_equal(hv.child_got, 3);
	assert_null(child_find("short"));
	assert_int_equal(pages_used(), before);
	assert_int_equal(hv.calls[hv.ncalls - 1].code, HVCALL_DELETE_PARTITION);
}

static void test_ended(void **state)
{
	struct script_create c = cfg(1, 2u << 20);
	struct child *ch;

	(void)state;
	c.on_crash = SCRIPT_END_PRESERVE;
	assert_true(create("keep", &c));
	ch = child_find("keep");
	assert_true(child_start(ch));
	child_ended(ch, true, "crashed on vCPU 0: triple fault");
	assert_int_equal(ch->state, CHILD_CRASHED);		/* preserved */
	/* what it said, then how many of its port accesses reached no device (here none) */
	assert_true(was_said("root: 'keep': crashed on vCPU 0: triple fault"));
	assert_string_equal(last_say, "root: 'keep': ports: 0 emulated, 0 to no device");
	assert_int_equal(child_live_count(), 0);
	assert_true(child_has_ended("keep"));
	child_destroy(ch);
	assert_true(create("gone", &c));
	ch = child_find("gone");
	child_ended(ch, false, "exit code 0");			/* on_poweroff=destroy */
	assert_null(child_find("gone"));
	assert_true(child_has_ended("gone"));
	assert_false(child_has_ended("never"));
}

/* cpus=: VP i on the (i mod n)-th CPU of the mask, passed in CreateVp's flags. */
static void test_cpus_pin_vps(void **state)
{
	struct script_create c = cfg(2, 4u << 20);

	(void)state;
	c.cpu_mask = 0xa;			/* CPUs 1 and 3 */
	assert_true(create("pinned", &c));
	assert_int_equal(vp_flags[0], HV_X_CREATE_VP_LP_VALID | 1);
	assert_int_equal(vp_flags[1], HV_X_CREATE_VP_LP_VALID | 3);
	assert_int_equal(child_vp_lp_flags(0xa, 2), HV_X_CREATE_VP_LP_VALID | 1);	/* wraps */
	child_destroy(child_find("pinned"));
	assert_int_equal(child_vp_lp_flags(0, 5), 0);
	assert_int_equal(child_vp_lp_flags(1ull << 63, 2), HV_X_CREATE_VP_LP_VALID | 63);
}

/* Post one intercept: the message in VP `vp`'s page, the opaque one in SINT0's slot. */
static void post(unsigned vp, uint32_t type, const void *payload, size_t len)
{
	struct hv_message *m = (struct hv_message *)vp_pages[vp];
	struct hv_message *slot = &simp_page->sint_message[0];
	uint32_t v = vp;

	memset(m, 0, sizeof(*m));
	m->header.message_type = type;
	m->header.payload_size = (uint8_t)len;
	m->header.sender = CHILD_ID;
	memcpy(m->payload, payload, len);
	memset(slot, 0, sizeof(*slot));
	slot->header.message_type = HVMSG_OPAQUE_INTERCEPT;
	slot->header.payload_size = 4;
	slot->header.sender = CHILD_ID;
	memcpy(slot->payload, &v, 4);
}

static void post_io(unsigned vp, uint16_t port, bool write, uint64_t rax, uint64_t rip)
{
	struct hv_x64_io_port_intercept_message io;

	memset(&io, 0, sizeof(io));
	io.header.vp_index = vp;
	io.header.instruction_length_cr8 = 1;
	io.header.intercept_access_type = write ? HV_INTERCEPT_ACCESS_WRITE : HV_INTERCEPT_ACCESS_READ;
	io.header.rip = rip;
	io.port_number = port;
	io.access_info = 1;
	io.rax = rax;
	post(vp, HVMSG_X64_IO_PORT_INTERCEPT, &io, sizeof(io));
}

static void test_intercepts(void **state)
{
	const struct script_create c = cfg(2, 2u << 20);
	struct hv_x64_memory_intercept_message mem;
	unsigned set, i;

	(void)state;
	/* without the SynIC's privilege: nothing programmed, polls do nothing */
	intercept_init();
	assert_int_equal(cpu.scontrol, 0);
	intercept_poll();
	/* with it: SIMP and SIEFP as placed, enabled; SINT0 unmasked with AutoEOI */
	cpu.synic = true;
	cpu.simp = (uint64_t)simp_page;
	cpu.siefp = 0x5000;
	intercept_init();
	assert_int_equal(cpu.simp, (uint64_t)simp_page | HV_SYNIC_PAGE_ENABLE);
	assert_int_equal(cpu.siefp, 0x5000 | HV_SYNIC_PAGE_ENABLE);
	assert_int_equal(cpu.scontrol, HV_SCONTROL_ENABLE);
	assert_int_equal(cpu.sint0, cpu.vector | HV_SINT_AUTO_EOI);
	assert_true(cpu.vector >= HV_SINT_FIRST_VECTOR && !(cpu.sint0 & HV_SINT_MASKED));

	assert_true(create("web", &c));
	assert_true(child_start(child_find("web")));
	/* OUT to 0xE9 on VP 1: RIP past it, then INTERCEPT_SUSPEND cleared; the slot freed, EOM */
	for (i = 0; i < 3; i++) {
		set = hv.ncalls;
		post_io(1, 0xe9, true, (uint8_t)"hi\n"[i], 0x2000 + i);
		intercept_poll();
		assert_int_equal(simp_page->sint_message[0].header.message_type, HVMSG_NONE);
		assert_int_equal(cpu.eoms, i + 1);
		assert_int_equal(hv.ncalls, set + 2);
		assert_int_equal(hv.calls[set].arg, 1);
		assert_int_equal(hv.calls[set].count, 1);
		assert_int_equal(hv.calls[set + 1].code, HVCALL_SET_VP_REGISTERS);
		assert_int_equal(hv.last_regs[0].name, HV_REGISTER_INTERCEPT_SUSPEND);
		assert_int_equal(hv.last_regs[0].value.reg64, 0);
	}
	assert_int_equal(hv.rip[1], 0x2003);
	assert_true(was_said("[web] hi"));
	/* IN from COM1's LSR on VP 0: RIP and AL (transmitter empty) */
	set = hv.ncalls;
	post_io(0, 0x3fd, false, 0xabcd, 0x3000);
	intercept_poll();
	assert_int_equal(hv.calls[set].count, 2);
	assert_int_equal(hv.rip[0], 0x3001);
	/* COM1 output: the same kind of line */
	for (i = 0; i < 3; i++) {
		post_io(0, 0x3f8, true, (uint8_t)"ok\n"[i], 0x4000);
		intercept_poll();
	}
	assert_true(was_said("[web] ok"));
	/* a message from a partition the root does not have: said, ignored */
	set = hv.ncalls;
	post_io(0, 0xe9, true, 'x', 0);
	simp_page->sint_message[0].header.sender = 99;
	intercept_poll();
	assert_int_equal(hv.ncalls, set);
	assert_true(was_said("root: SINT0 message 0x8000003f from unknown partition 99"));
	/* one posting again at every EOM: each poll takes its share and returns */
	post_io(0, 0xe9, true, 'x', 0);
	simp_page->sint_message[0].header.sender = 99;
	memcpy(&cpu.refill, &simp_page->sint_message[0], sizeof(cpu.refill));
	set = cpu.eoms;
	intercept_poll();
	assert_int_equal(cpu.eoms - set, 64);
	assert_true(intercept_pending());
	memset(&cpu.refill, 0, sizeof(cpu.refill));
	intercept_poll();
	assert_false(intercept_pending());
	/* an access outside its memory: crashed, destroyed (on_crash=destroy) */
	memset(&mem, 0, sizeof(mem));
	mem.header.vp_index = 0;
	mem.header.intercept_access_type = HV_INTERCEPT_ACCESS_WRITE;
	mem.guest_physical_address = 0x40000000;
	post(0, HVMSG_UNMAPPED_GPA, &mem, sizeof(mem));
	intercept_poll();
	assert_true(was_said("root: 'web': crashed on vCPU 0: write of guest-physical 0000000040000000 outside "
			     "its memory"));
	assert_null(child_find("web"));
	assert_true(child_has_ended("web"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_create_sequence, setup),
		cmocka_unit_test_setup(test_teardown_returns_every_page, setup),
		cmocka_unit_test_setup(test_multiboot_starts_vp0_only, setup),
		cmocka_unit_test_setup(test_failures_leave_nothing, setup),
		cmocka_unit_test_setup(test_deposit_budget, setup),
		cmocka_unit_test_setup(test_ended, setup),
		cmocka_unit_test_setup(test_cpus_pin_vps, setup),
		cmocka_unit_test_setup(test_intercepts, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The root calls of the self-test (selftest.h), made as Linux's mshv
 * driver makes them (hyperv-root-abi.md sections 3, 4 and 8): deposits
 * and retries on INSUFFICIENT_MEMORY, batches, the teardown order.
 */
#include "partitions/root/selftest.h"
#include "arch/x86/cpu.h"

unsigned failures;
bool amd;
uint64_t root_id;
static struct hv_x_partition_stats stats_buf __attribute__((aligned(8)));
static uint64_t pfn_list[HV_DEPOSIT_MAX];
uint64_t raw_page[512] __attribute__((aligned(4096)));

/* A check of a call's status: got is the status. */
void check(bool ok, const char *what, uint16_t got)
{
	if (ok) {
		say("root: test PASS %s", what);
	} else {
		failures++;
		say("root: test FAIL %s: got %s (0x%x)", what, hv_status_name(got), got);
	}
}

/* A check of a value: got is the value seen. */
void check_value(bool ok, const char *what, uint64_t got)
{
	if (ok) {
		say("root: test PASS %s", what);
	} else {
		failures++;
		say("root: test FAIL %s: got %lu (0x%lx)", what, got, got);
	}
}

void expect(uint16_t got, uint16_t want, const char *what)
{
	check(got == want, what, got);
}

uint16_t stats(uint64_t id, struct hv_x_partition_stats *out)
{
	uint16_t st = hv_fast(HVCALL_X_PARTITION_STATS, id, root_image_gpa(&stats_buf), NULL);

	*out = stats_buf;
	return st;
}

uint64_t hv_free_pages(void)
{
	struct hv_x_partition_stats s;

	stats(HV_PARTITION_ID_SELF, &s);
	return s.hv_free_pages;
}

/* A call with an input value of our making, the input in raw_page (for rep counts hv_rep refuses). */
uint16_t raw_call(uint64_t control)
{
	uint64_t rax, rdx = root_image_gpa(raw_page);
	register uint64_t r8 __asm__("r8") = 0;

	if (amd)
		__asm__ volatile("vmmcall" : "=a"(rax), "+d"(rdx), "+r"(r8) : "c"(control) : "memory");
	else
		__asm__ volatile("vmcall" : "=a"(rax), "+d"(rdx), "+r"(r8) : "c"(control) : "memory");
	return (uint16_t)rax;
}

/* n pages deposited into partition id, each a page of ours; the status of the first failure. */
uint16_t deposit(uint64_t id, unsigned n)
{
	while (n) {
		unsigned batch = MIN(n, (unsigned)HV_DEPOSIT_MAX), done = 0;
		uint16_t st;

		for (unsigned i = 0; i < batch; i++) {
			uint64_t pa = pmem_alloc(1, PAGE);

			ASSERT(pa);
			pfn_list[i] = pa >> 12;
		}
		st = hv_rep(HVCALL_DEPOSIT_MEMORY, &id, 8, pfn_list, 8, batch, NULL, 0, &done);
		for (unsigned i = done; i < batch; i++)
			pmem_free(pfn_list[i] << 12, 1);	/* not taken: ours again */
		if (st != HV_STATUS_SUCCESS)
			return st;
		n -= batch;
	}
	return HV_STATUS_SUCCESS;
}

/* Withdraw until NO_RESOURCES (mshv's loop), each page back into our allocator; how many. */
unsigned withdraw_all(uint64_t id)
{
	struct hv_input_withdraw_memory in = { .partition_id = id };
	static uint64_t out[HV_WITHDRAW_MAX];
	unsigned total = 0, done;
	uint16_t st;

	do {
		done = 0;
		st = hv_rep(HVCALL_WITHDRAW_MEMORY, &in, sizeof(in), NULL, 0, HV_WITHDRAW_MAX, out, 8,
			    &done);
		for (unsigned i = 0; i < done; i++)
			if (!pmem_free(out[i] << 12, 1))
				check_value(false, "a withdrawn page was one we had deposited", out[i]);
		total += done;
	} while (st == HV_STATUS_SUCCESS);
	if (st != HV_STATUS_NO_RESOURCES)
		check(false, "withdrawal ends with NO_RESOURCES", st);
	return total;
}

/* mshv's CreatePartition: on INSUFFICIENT_MEMORY a page into the root's own pool, and again. */
uint16_t create_partition(uint64_t *id)
{
	struct hv_input_create_partition in = {
		.flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
			 HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED |
			 HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED,
		.compatibility_version = HV_COMPATIBILITY_21_H2,
	};
	struct hv_output_create_partition out;
	uint16_t st;

	for (unsigned tries = 0; tries < CREATE_TRIES; tries++) {
		st = hv_call(HVCALL_CREATE_PARTITION, &in, sizeof(in), &out, sizeof(out));
		if (st != HV_STATUS_INSUFFICIENT_MEMORY)
			break;
		st = deposit(root_id, 1);
		if (st != HV_STATUS_SUCCESS)
			break;
	}
	*id = out.partition_id;
	return st;
}

/* A fast call mshv retries after a one-page deposit into the child (Initialize). */
uint16_t fast_with_deposit(uint16_t code, uint64_t id)
{
	uint16_t st;

	while ((st = hv_fast(code, id, 0, NULL)) == HV_STATUS_INSUFFICIENT_MEMORY)
		if (deposit(id, 1) != HV_STATUS_SUCCESS)
			break;
	return st;
}

uint16_t create_vp(uint64_t id, uint32_t index)
{
	struct hv_input_create_vp in = { .partition_id = id, .vp_index = index };
	uint16_t st;

	while ((st = hv_call(HVCALL_CREATE_VP, &in, sizeof(in), NULL, 0)) ==
	       HV_STATUS_INSUFFICIENT_MEMORY)
		if (deposit(id, 1) != HV_STATUS_SUCCESS)
			break;
	return st;
}

/* mshv's MapGpaPages: batches of 509, 256 pages deposited on INSUFFICIENT_MEMORY, on from the reps done. */
uint16_t map_pages(uint64_t id, uint64_t gfn, uint64_t first_pfn, unsigned n, uint32_t flags)
{
	while (n) {
		unsigned batch = MIN(n, (unsigned)HV_MAP_GPA_MAX), done = 0;
		struct hv_input_map_gpa_pages hdr = { id, gfn, flags, 0 };
		uint16_t st;

		for (unsigned i = 0; i < batch; i++)
			pfn_list[i] = first_pfn + i;
		st = hv_rep(HVCALL_MAP_GPA_PAGES, &hdr, sizeof(hdr), pfn_list, 8, batch, NULL, 0,
			    &done);
		if (st == HV_STATUS_INSUFFICIENT_MEMORY)
			st = deposit(id, 256);
		if (st != HV_STATUS_SUCCESS)
			return st;
		gfn += done;
		first_pfn += done;
		n -= done;
	}
	return HV_STATUS_SUCCESS;
}

struct hv_register_assoc reg(uint32_t name, uint64_t v)
{
	return (struct hv_register_assoc){ .name = name, .value.reg64 = v };
}

static struct hv_register_assoc seg(uint32_t name, uint16_t sel, uint32_t limit, uint16_t attr)
{
	struct hv_register_assoc a = { .name = name };

	a.value.segment = (struct hv_x64_segment_register){ 0, limit, sel, attr };
	return a;
}

uint16_t set_regs(uint64_t id, uint32_t vp, const struct hv_register_assoc *a, unsigned n,
			 unsigned *done)
{
	struct hv_input_vp_registers_header hdr = { .partition_id = id, .vp_index = vp };

	return hv_rep(HVCALL_SET_VP_REGISTERS, &hdr, sizeof(hdr), a, sizeof(*a), n, NULL, 0, done);
}

uint16_t get_reg(uint64_t id, uint32_t vp, uint32_t name, uint64_t *v)
{
	struct hv_input_vp_registers_header hdr = { .partition_id = id, .vp_index = vp };
	union hv_register_value out;
	uint16_t st = hv_rep(HVCALL_GET_VP_REGISTERS, &hdr, sizeof(hdr), &name, 4, 1, &out,
			     sizeof(out), NULL);

	*v = out.reg64;
	return st;
}

/* 32-bit protected mode, flat, no paging, at CHILD_CODE (selftest_child.S). */
uint16_t set_start_state(uint64_t id)
{
	struct hv_register_assoc r[] = {
		reg(HV_X64_REGISTER_CR0, 0x31),		/* PE, ET, NE */
		reg(HV_X64_REGISTER_CR4, 0),
		reg(HV_X64_REGISTER_EFER, 0),
		seg(HV_X64_REGISTER_CS, 0x08, 0xffffffff, 0xc09b),
		seg(HV_X64_REGISTER_DS, 0x10, 0xffffffff, 0xc093),
		seg(HV_X64_REGISTER_ES, 0x10, 0xffffffff, 0xc093),
		seg(HV_X64_REGISTER_SS, 0x10, 0xffffffff, 0xc093),
		seg(HV_X64_REGISTER_FS, 0x10, 0xffffffff, 0xc093),
		seg(HV_X64_REGISTER_GS, 0x10, 0xffffffff, 0xc093),
		seg(HV_X64_REGISTER_TR, 0x18, 0x67, 0x008b),
		seg(HV_X64_REGISTER_LDTR, 0, 0, 0),
		{ .name = HV_X64_REGISTER_GDTR,
		  .value.table = { .limit = 4 * 8 - 1, .base = CHILD_GDT } },
		{ .name = HV_X64_REGISTER_IDTR },
		reg(HV_X64_REGISTER_RIP, CHILD_CODE),
		reg(HV_X64_REGISTER_RSP, CHILD_STACK),
		reg(HV_X64_REGISTER_RFLAGS, 0x2),
	};
	return set_regs(id, 0, r, ARRAY_SIZE(r), NULL);
}

/* Its RAM: 16 MiB of ours, the program, the hypercall stub, a GDT. */
void load_program(struct child *c, const uint8_t *code, const uint8_t *end)
{
	static const uint64_t gdt[4] = { 0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull,
					 0x00008b0000000067ull };
	uint8_t *ram = (uint8_t *)c->ram;

	memcpy(ram + CHILD_CODE, code, (size_t)(end - code));
	ram[CHILD_STUB] = 0x0f;
	ram[CHILD_STUB + 1] = 0x01;
	ram[CHILD_STUB + 2] = amd ? 0xd9 : 0xc1;	/* VMMCALL or VMCALL */
	ram[CHILD_STUB + 3] = 0xc3;			/* RET */
	memcpy(ram + CHILD_GDT, gdt, sizeof(gdt));
}

/* Everything up to a suspended VP 0 with its start state: mshv's order. */
bool build_child(struct child *c, const uint8_t *code, const uint8_t *end)
{
	uint16_t st = create_partition(&c->id);

	expect(st, HV_STATUS_SUCCESS, "CreatePartition with deposits into the root");
	if (st)
		return false;
	st = deposit(c->id, 208);
	if (!st)
		st = fast_with_deposit(HVCALL_INITIALIZE_PARTITION, c->id);
	expect(st, HV_STATUS_SUCCESS, "208 pages deposited, InitializePartition");
	if (st)
		return false;
	st = deposit(c->id, 90);
	if (!st)
		st = create_vp(c->id, 0);
	expect(st, HV_STATUS_SUCCESS, "90 pages deposited, CreateVp");
	if (st)
		return false;
	c->ram = pmem_alloc(CHILD_PAGES, PAGE);
	ASSERT(c->ram);
	load_program(c, code, end);
	st = map_pages(c->id, 0, c->ram >> 12, CHILD_PAGES,
		       HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE | HV_MAP_GPA_EXECUTABLE);
	expect(st, HV_STATUS_SUCCESS, "MapGpaPages of 16 MiB");
	if (st)
		return false;
	st = set_start_state(c->id);
	expect(st, HV_STATUS_SUCCESS, "SetVpRegisters: 32-bit protected mode at 0x1000");
	return st == HV_STATUS_SUCCESS;
}

static void halt_a_while(void)
{
	console_relay_log();
	hv_fast(HVCALL_X_SET_TIMER, 1000, ROOT_TIMER_VECTOR, NULL);
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* Resume VP 0 (EXPLICIT_SUSPEND cleared) and wait until the child stopped itself. */
bool run_child(struct child *c, struct hv_x_partition_stats *s)
{
	struct hv_register_assoc go = reg(HV_REGISTER_EXPLICIT_SUSPEND, 0);
	uint16_t st = set_regs(c->id, 0, &go, 1, NULL);

	expect(st, HV_STATUS_SUCCESS, "EXPLICIT_SUSPEND cleared");
	for (unsigned i = 0; i < WAIT_POLLS; i++) {
		st = stats(c->id, s);
		if (st || s->state != HV_X_PART_INITIALIZED)
			break;
		halt_a_while();
	}
	check(!st && s->state == HV_X_PART_STOPPED, "the child ran and stopped itself", st);
	return !st && s->state == HV_X_PART_STOPPED;
}

/* mshv's teardown (section 8): Finalize, withdraw until NO_RESOURCES, Delete; its RAM back to us. */
void tear_down(struct child *c)
{
	struct hv_x_partition_stats s;

	expect(hv_fast(HVCALL_FINALIZE_PARTITION, c->id, 0, NULL), HV_STATUS_SUCCESS,
	       "FinalizePartition");
	stats(c->id, &s);
	check_value(s.state == HV_X_PART_FINALIZED && s.mapped_pages == 0,
		    "Finalize unmapped its RAM", s.mapped_pages);
	{
		struct hv_input_map_vp_state_page m = { .partition_id = c->id,
							.type = HV_VP_STATE_PAGE_INTERCEPT_MESSAGE };
		struct hv_output_map_vp_state_page mo;

		expect(hv_call(HVCALL_MAP_VP_STATE_PAGE, &m, sizeof(m), &mo, sizeof(mo)),
		       HV_STATUS_INVALID_PARTITION_STATE,
		       "MapVpStatePage of a finalized child (its page would be stranded)");
	}
	withdraw_all(c->id);
	expect(hv_fast(HVCALL_DELETE_PARTITION, c->id, 0, NULL), HV_STATUS_SUCCESS,
	       "DeletePartition after the withdrawals");
	expect(stats(c->id, &s), HV_STATUS_INVALID_PARTITION_ID, "a deleted partition is gone");
	if (c->ram && !pmem_free(c->ram, CHILD_PAGES))
		check_value(false, "the child's RAM is ours again", c->ram);
	c->ram = 0;
}

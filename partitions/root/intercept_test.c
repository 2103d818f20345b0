/*
 * root_test=intercepts (testing, docs/root.md "Intercepts"): the
 * hypervisor's side of the intercept path, seen from the root without the
 * root's real child handling. The root programs its SynIC (the pages the
 * hypervisor placed, SINT0 on SINT_VECTOR with an IDT gate), creates two
 * children through the TLFS calls as mshv issues them (the hypervisor's
 * rotor puts consecutive children on consecutive CPUs: with 2 CPUs one is
 * on the root's CPU 0, the other on CPU 1), maps each VP's intercept page
 * (MapVpStatePage) and runs a tiny 64-bit program in each:
 *
 *   OUT 0xE9 ('K'), OUT DX=0x3F8 ('C'), IN DX=0x3FD, OUT 0xE9 (the IN's
 *   value), a write to GPA 0x100000 (not mapped), OUT 0xE9 ('E'), CLI; HLT
 *
 * Each exit must arrive as HVMSG_OPAQUE_INTERCEPT on SINT0 and as the full
 * message in the intercept page, with the fields the program implies. The
 * root completes each (SetVpRegisters RIP past the instruction, RAX for
 * the IN, then INTERCEPT_SUSPEND = 0) and sees the next one come. Then it
 * tears the child down (Finalize, Withdraw, Delete). It says
 * "root: test PASS intercepts ..." or "root: test FAIL ...".
 */
#include "partitions/root/root.h"
#include "arch/x86/cpu.h"
#include "core/abi/hvroot.h"
#include "core/abi/hypercall.h"
#include "core/abi/synic.h"

#define SINT_VECTOR	0x41
#define WAIT_TICK_US	1000
#define WAIT_TICKS	5000		/* 5 s for one message */
#define KERNEL_CS	0x08

/* The child's memory: 8 pages at GPA 0 (page tables, code, stack). */
#define CHILD_PAGES	8
#define CHILD_PML4	0x1000
#define CHILD_PDPT	0x2000
#define CHILD_PD	0x3000
#define CHILD_CODE	0x4000
#define CHILD_STACK	0x8000
#define CHILD_UNMAPPED	0x100000ull	/* inside its identity map, outside its memory */
#define LSR_IDLE	0x60		/* 16550 LSR: THRE | TEMT, what the root "emulates" */

#define DEPOSIT_CHUNK	64

void root_sint_isr(void);
volatile uint32_t root_sint_count;

/* The ISR counts; the message is read from the SIMP slot by the waiting code. */
__asm__(".text\n.globl root_sint_isr\nroot_sint_isr:\n"
	"\tlock incl root_sint_count(%rip)\n\tiretq\n");

static const uint8_t child_code[] = {
	0xb0, 'K',				/* 0: mov al, 'K' */
	0xe6, 0xe9,				/* 2: out 0xe9, al */
	0x66, 0xba, 0xf8, 0x03,			/* 4: mov dx, 0x3f8 */
	0xb0, 'C',				/* 8: mov al, 'C' */
	0xee,					/* 10: out dx, al */
	0x66, 0xba, 0xfd, 0x03,			/* 11: mov dx, 0x3fd */
	0xec,					/* 15: in al, dx */
	0xe6, 0xe9,				/* 16: out 0xe9, al */
	0xc6, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00, 0x5a,	/* 18: mov byte [0x100000], 0x5a */
	0xb0, 'E',				/* 26: mov al, 'E' */
	0xe6, 0xe9,				/* 28: out 0xe9, al */
	0xfa,					/* 30: cli */
	0xf4,					/* 31: hlt */
};

/* What each exit must say, in order. */
struct expect {
	uint32_t type;
	uint16_t rip_off;		/* from CHILD_CODE */
	uint8_t len;			/* the instruction's length: the root's RIP step */
	uint8_t access;
	uint16_t port;			/* I/O */
	uint8_t al;			/* I/O: AL at the exit */
	bool in;
};

static const struct expect expects[] = {
	{ HVMSG_X64_IO_PORT_INTERCEPT, 2, 2, HV_INTERCEPT_ACCESS_WRITE, 0xe9, 'K', false },
	{ HVMSG_X64_IO_PORT_INTERCEPT, 10, 1, HV_INTERCEPT_ACCESS_WRITE, 0x3f8, 'C', false },
	{ HVMSG_X64_IO_PORT_INTERCEPT, 15, 1, HV_INTERCEPT_ACCESS_READ, 0x3fd, 'C', true },
	{ HVMSG_X64_IO_PORT_INTERCEPT, 16, 2, HV_INTERCEPT_ACCESS_WRITE, 0xe9, LSR_IDLE, false },
	{ HVMSG_UNMAPPED_GPA, 18, 8, HV_INTERCEPT_ACCESS_WRITE, 0, 0, false },
	{ HVMSG_X64_IO_PORT_INTERCEPT, 28, 2, HV_INTERCEPT_ACCESS_WRITE, 0xe9, 'E', false },
	{ HVMSG_X64_HALT, 31, 0, HV_INTERCEPT_ACCESS_EXECUTE, 0, 0, false },
};

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type_attr;
	uint16_t off_mid;
	uint32_t off_hi, zero;
};

static struct hv_message_page *simp;
static char why[160];

#define FAIL(...)	(fmt_snprintf(why, sizeof(why), __VA_ARGS__), false)

/* SCONTROL on, the message page where the hypervisor placed it, SINT0 unmasked on SINT_VECTOR. */
static void synic_init(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr;
	struct idt_gate *idt;
	uint64_t h = (uint64_t)root_sint_isr, simp_msr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	idt = (struct idt_gate *)idtr.base;
	idt[SINT_VECTOR] = (struct idt_gate){ (uint16_t)h, KERNEL_CS, 0, 0x8e, (uint16_t)(h >> 16),
					      (uint32_t)(h >> 32), 0 };
	simp_msr = rdmsr(HV_MSR_SIMP);
	simp = (struct hv_message_page *)(simp_msr & HV_SYNIC_PAGE_GPA_MASK);	/* identity-mapped */
	wrmsr(HV_MSR_SIMP, simp_msr | HV_SYNIC_PAGE_ENABLE);
	wrmsr(HV_MSR_SCONTROL, HV_SCONTROL_ENABLE);
	wrmsr(HV_MSR_SINT0, SINT_VECTOR);
}

/* The next SINT0 message, copied out and the slot freed (EOM when more wait); false: none came. */
static bool next_message(struct hv_message *m)
{
	volatile struct hv_message *slot = &simp->sint_message[0];

	for (unsigned i = 0; i < WAIT_TICKS; i++) {
		if (slot->header.message_type != HVMSG_NONE) {
			memcpy(m, (const void *)slot, sizeof(*m));
			slot->header.message_type = HVMSG_NONE;
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (slot->header.message_flags & HV_MESSAGE_FLAG_PENDING)
				wrmsr(HV_MSR_EOM, 0);
			return true;
		}
		console_relay_log();
		hv_fast(HVCALL_X_SET_TIMER, WAIT_TICK_US, ROOT_TIMER_VECTOR, NULL);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	return false;
}

/* Deposit `n` pages into `id` (the root's own deposit pool for SELF). */
static bool deposit(uint64_t id, unsigned n)
{
	uint64_t pfns[DEPOSIT_CHUNK];
	struct hv_input_deposit_memory hdr = { .partition_id = id };
	uint64_t pa = pmem_alloc(n, PAGE_SIZE);
	uint16_t st;

	if (!pa || n > DEPOSIT_CHUNK)
		return false;
	for (unsigned i = 0; i < n; i++)
		pfns[i] = (pa >> PAGE_SHIFT) + i;
	st = hv_rep(HVCALL_DEPOSIT_MEMORY, &hdr, sizeof(hdr), pfns, 8, n, NULL, 0, NULL);
	return st == HV_STATUS_SUCCESS;
}

/* Retry a call on INSUFFICIENT_MEMORY after a deposit into `into` (mshv's loop, bounded). */
#define WITH_DEPOSITS(into, call, st)						\
	do {									\
		for (unsigned _try = 0; _try < 64; _try++) {			\
			(st) = (call);						\
			if ((st) != HV_STATUS_INSUFFICIENT_MEMORY || !deposit((into), DEPOSIT_CHUNK)) \
				break;						\
		}								\
	} while (0)

static uint16_t set_regs(uint64_t id, const struct hv_register_assoc *a, unsigned n)
{
	struct hv_input_vp_registers_header hdr = { .partition_id = id, .vp_index = 0 };

	return hv_rep(HVCALL_SET_VP_REGISTERS, &hdr, sizeof(hdr), a, sizeof(*a), n, NULL, 0, NULL);
}

static struct hv_register_assoc reg64(uint32_t name, uint64_t v)
{
	struct hv_register_assoc a = { .name = name };

	a.value.reg64 = v;
	return a;
}

static struct hv_register_assoc seg(uint32_t name, uint16_t sel, uint16_t attr)
{
	struct hv_register_assoc a = { .name = name };

	a.value.segment = (struct hv_x64_segment_register){ 0, 0xffffffff, sel, attr };
	return a;
}

/* Page tables (1 GiB identity map with 2 MiB pages in its first GiB), code; GPA 0 = `mem`. */
static void child_memory(uint8_t *mem, const uint8_t *code, size_t len)
{
	uint64_t *pml4 = (uint64_t *)(mem + CHILD_PML4), *pdpt = (uint64_t *)(mem + CHILD_PDPT);
	uint64_t *pd = (uint64_t *)(mem + CHILD_PD);

	pml4[0] = CHILD_PDPT | 0x3;
	pdpt[0] = CHILD_PD | 0x3;
	pd[0] = 0x0 | 0x83;		/* 0-2 MiB, present, writable, 2 MiB */
	memcpy(mem + CHILD_CODE, code, len);
}

/* 64-bit flat state at CHILD_CODE, as the hypervisor's own loader sets it (core/vcpu_state.c). */
static uint16_t child_registers(uint64_t id)
{
	/* TLFS segment attributes: L/D/G at bits 13-15 (VMCB's 0xa9b, 0xc93) */
	const struct hv_register_assoc regs[] = {
		reg64(HV_X64_REGISTER_CR0, 0x80000031), reg64(HV_X64_REGISTER_CR3, CHILD_PML4),
		reg64(HV_X64_REGISTER_CR4, 0x20), reg64(HV_X64_REGISTER_EFER, 0x500),
		seg(HV_X64_REGISTER_CS, 0x08, 0xa09b), seg(HV_X64_REGISTER_DS, 0x10, 0xc093),
		seg(HV_X64_REGISTER_ES, 0x10, 0xc093), seg(HV_X64_REGISTER_SS, 0x10, 0xc093),
		seg(HV_X64_REGISTER_FS, 0x10, 0xc093), seg(HV_X64_REGISTER_GS, 0x10, 0xc093),
		reg64(HV_X64_REGISTER_RIP, CHILD_CODE), reg64(HV_X64_REGISTER_RSP, CHILD_STACK),
		reg64(HV_X64_REGISTER_RFLAGS, 0x2), reg64(HV_X64_REGISTER_RAX, 0),
	};
	struct hv_register_assoc tr = { .name = HV_X64_REGISTER_TR }, ldtr = tr;

	tr.value.segment = (struct hv_x64_segment_register){ 0, 0x67, 0, 0x8b };
	ldtr.name = HV_X64_REGISTER_LDTR;
	ldtr.value.segment = (struct hv_x64_segment_register){ 0, 0xffff, 0, 0x82 };
	if (set_regs(id, &tr, 1) != HV_STATUS_SUCCESS || set_regs(id, &ldtr, 1) != HV_STATUS_SUCCESS)
		return 1;
	return set_regs(id, regs, ARRAY_SIZE(regs));
}

/* CreatePartition ... MapVpStatePage, as mshv issues them (hyperv-root-abi.md 9.2). */
static bool child_create(uint64_t *id, const struct hv_message **page, const uint8_t *code,
			 size_t len)
{
	struct hv_input_create_partition cp = {
		.flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
			 HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED,
		.compatibility_version = HV_COMPATIBILITY_21_H2,
	};
	struct hv_output_create_partition out;
	struct hv_input_create_vp vp = { 0 };
	struct hv_input_map_vp_state_page sp = { 0 };
	struct hv_output_map_vp_state_page spo;
	struct hv_input_map_gpa_pages mg = { 0 };
	uint64_t pfns[CHILD_PAGES], mem;
	uint16_t st;

	WITH_DEPOSITS(HV_PARTITION_ID_SELF, hv_call(HVCALL_CREATE_PARTITION, &cp, sizeof(cp), &out,
						     sizeof(out)), st);
	if (st)
		return FAIL("CreatePartition: %s", hv_status_name(st));
	*id = out.partition_id;
	WITH_DEPOSITS(*id, hv_fast(HVCALL_INITIALIZE_PARTITION, *id, 0, NULL), st);
	if (st)
		return FAIL("InitializePartition: %s", hv_status_name(st));
	vp.partition_id = *id;
	WITH_DEPOSITS(*id, hv_call(HVCALL_CREATE_VP, &vp, sizeof(vp), NULL, 0), st);
	if (st)
		return FAIL("CreateVp: %s", hv_status_name(st));
	sp.partition_id = *id;
	sp.type = HV_VP_STATE_PAGE_INTERCEPT_MESSAGE;
	WITH_DEPOSITS(*id, hv_call(HVCALL_MAP_VP_STATE_PAGE, &sp, 16, &spo, sizeof(spo)), st);
	if (st)
		return FAIL("MapVpStatePage: %s", hv_status_name(st));
	*page = (const struct hv_message *)(spo.map_location << PAGE_SHIFT);	/* GPA = HPA = VA */
	mem = pmem_alloc(CHILD_PAGES, PAGE_SIZE);
	if (!mem)
		return FAIL("no memory for the child");
	child_memory((uint8_t *)mem, code, len);
	for (unsigned i = 0; i < CHILD_PAGES; i++)
		pfns[i] = (mem >> PAGE_SHIFT) + i;
	mg.target_partition_id = *id;
	mg.map_flags = HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE | HV_MAP_GPA_EXECUTABLE;
	WITH_DEPOSITS(*id, hv_rep(HVCALL_MAP_GPA_PAGES, &mg, sizeof(mg), pfns, 8, CHILD_PAGES,
				  NULL, 0, NULL), st);
	if (st)
		return FAIL("MapGpaPages: %s", hv_status_name(st));
	st = child_registers(*id);
	if (st)
		return FAIL("SetVpRegisters (start state): %s", hv_status_name(st));
	return true;
}

static bool check_header(const struct hv_x64_intercept_message_header *h, const struct expect *x)
{
	uint64_t rip = CHILD_CODE + x->rip_off;

	if (h->vp_index != 0 || h->rip != rip || h->intercept_access_type != x->access)
		return FAIL("header: vp %u rip %lx access %u, expected rip %lx access %u",
			    h->vp_index, h->rip, h->intercept_access_type, rip, x->access);
	if (x->type == HVMSG_X64_IO_PORT_INTERCEPT &&
	    (h->instruction_length_cr8 & HV_INTERCEPT_INSN_LEN_MASK) != x->len)
		return FAIL("instruction length %u, expected %u", h->instruction_length_cr8, x->len);
	/* 64-bit, CPL 0: CR0.PE and EFER.LMA; CS selector 8 with L */
	if ((h->execution_state & (HV_X64_EXEC_STATE_CPL_MASK | HV_X64_EXEC_STATE_CR0_PE |
				   HV_X64_EXEC_STATE_EFER_LMA)) !=
	    (HV_X64_EXEC_STATE_CR0_PE | HV_X64_EXEC_STATE_EFER_LMA) ||
	    h->cs_segment.selector != 0x08 || !(h->cs_segment.attributes & 0x2000))
		return FAIL("execution state %x, cs %x/%x", h->execution_state, h->cs_segment.selector,
			    h->cs_segment.attributes);
	return true;
}

static bool check_payload(const struct hv_message *m, const struct expect *x)
{
	if (x->type == HVMSG_X64_IO_PORT_INTERCEPT) {
		const struct hv_x64_io_port_intercept_message *io = (const void *)m->payload;

		if (m->header.payload_size != sizeof(*io) || io->port_number != x->port ||
		    (io->access_info & HV_X64_IO_PORT_ACCESS_SIZE_MASK) != 1 ||
		    (io->access_info & ~HV_X64_IO_PORT_ACCESS_SIZE_MASK) || (uint8_t)io->rax != x->al)
			return FAIL("I/O: size %u port %x info %x al %02x, expected port %x al %02x",
				    m->header.payload_size, io->port_number, io->access_info,
				    (uint8_t)io->rax, x->port, x->al);
		return check_header(&io->header, x);
	}
	if (x->type == HVMSG_UNMAPPED_GPA) {
		const struct hv_x64_memory_intercept_message *mem = (const void *)m->payload;

		if (m->header.payload_size != sizeof(*mem) ||
		    mem->guest_physical_address != CHILD_UNMAPPED ||
		    mem->instruction_byte_count < 8 ||
		    memcmp(mem->instruction_bytes, child_code + x->rip_off, 8))
			return FAIL("GPA: size %u gpa %lx %u bytes (%02x %02x)", m->header.payload_size,
				    mem->guest_physical_address, mem->instruction_byte_count,
				    mem->instruction_bytes[0], mem->instruction_bytes[1]);
		return check_header(&mem->header, x);
	}
	if (m->header.payload_size != sizeof(struct hv_x64_intercept_message_header))
		return FAIL("HALT: payload %u", m->header.payload_size);
	return check_header((const void *)m->payload, x);
}

/* RIP past the instruction, AL for an IN, then INTERCEPT_SUSPEND = 0 (6.4, 5.1). */
static bool complete(uint64_t id, const struct expect *x)
{
	struct hv_register_assoc a[3];
	unsigned n = 0;
	uint16_t st;

	a[n++] = reg64(HV_X64_REGISTER_RIP, CHILD_CODE + x->rip_off + x->len);
	if (x->in)
		a[n++] = reg64(HV_X64_REGISTER_RAX, LSR_IDLE);
	a[n++] = reg64(HV_REGISTER_INTERCEPT_SUSPEND, 0);
	st = set_regs(id, a, n);
	return st == HV_STATUS_SUCCESS ? true : FAIL("SetVpRegisters: %s", hv_status_name(st));
}

static bool resume(uint64_t id)
{
	struct hv_register_assoc go[2] = { reg64(HV_REGISTER_INTERCEPT_SUSPEND, 0),
					   reg64(HV_REGISTER_EXPLICIT_SUSPEND, 0) };

	return set_regs(id, go, 2) == HV_STATUS_SUCCESS;
}

static bool run_child(uint64_t id, const struct hv_message *page)
{
	struct hv_message note, m;

	if (!resume(id))
		return FAIL("resume");
	for (unsigned i = 0; i < ARRAY_SIZE(expects); i++) {
		const struct expect *x = &expects[i];
		const struct hv_opaque_intercept_message *o = (const void *)note.payload;

		if (!next_message(&note))
			return FAIL("no message %u on SINT0", i);
		if (note.header.message_type != HVMSG_OPAQUE_INTERCEPT || note.header.sender != id ||
		    note.header.payload_size != sizeof(*o) || o->vp_index != 0)
			return FAIL("message %u on SINT0: type %x sender %lu", i,
				    note.header.message_type, note.header.sender);
		memcpy(&m, page, sizeof(m));
		if (m.header.message_type != x->type)
			return FAIL("intercept %u: type %x, expected %x", i, m.header.message_type,
				    x->type);
		if (!check_payload(&m, x))
			return false;
		if (i + 1 < ARRAY_SIZE(expects) && !complete(id, x))
			return false;
	}
	return true;
}

static bool child_destroy(uint64_t id)
{
	struct hv_input_unmap_vp_state_page up = { .partition_id = id,
						   .type = HV_VP_STATE_PAGE_INTERCEPT_MESSAGE };
	struct hv_input_withdraw_memory wd = { .partition_id = id };
	static uint64_t out[HV_WITHDRAW_MAX];
	uint16_t st;

	st = hv_call(HVCALL_UNMAP_VP_STATE_PAGE, &up, sizeof(up), NULL, 0);
	if (st)
		return FAIL("UnmapVpStatePage: %s", hv_status_name(st));
	st = hv_fast(HVCALL_FINALIZE_PARTITION, id, 0, NULL);	/* waits for its VPs' release */
	if (st)
		return FAIL("FinalizePartition: %s", hv_status_name(st));
	do
		st = hv_rep(HVCALL_WITHDRAW_MEMORY, &wd, sizeof(wd), NULL, 0, HV_WITHDRAW_MAX, out, 8,
			    NULL);
	while (st == HV_STATUS_SUCCESS);
	if (st != HV_STATUS_NO_RESOURCES)
		return FAIL("WithdrawMemory: %s", hv_status_name(st));
	st = hv_fast(HVCALL_DELETE_PARTITION, id, 0, NULL);
	return st == HV_STATUS_SUCCESS ? true : FAIL("DeletePartition: %s", hv_status_name(st));
}

static bool one_child(unsigned n)
{
	const struct hv_message *page;
	uint64_t id;

	if (!child_create(&id, &page, child_code, sizeof(child_code)) || !run_child(id, page) ||
	    !child_destroy(id))
		return false;
	say("root: child %u (partition %lu): %u intercepts checked and completed, torn down", n, id,
	    (unsigned)ARRAY_SIZE(expects));
	return true;
}

void intercept_test(void)
{
	synic_init();
	for (unsigned n = 0; n < 2; n++)
		if (!one_child(n)) {
			say("root: test FAIL intercepts: child %u: %s", n, why);
			return;
		}
	say("root: test PASS intercepts (2 children, %u SINT0 interrupts)", root_sint_count);
}

/* ---- root_test=intercept_bench: the round trip of a child's OUT through the root ---- */

#define BENCH_TRIPS	500

/* mov ecx, BENCH_TRIPS; 1: out 0xe9, al; dec ecx; jnz 1b; cli; hlt */
static const uint8_t bench_code[] = {
	0xb9, BENCH_TRIPS & 0xff, BENCH_TRIPS >> 8, 0, 0,	/* 0: mov ecx, trips */
	0xe6, 0xe9,					/* 5: out 0xe9, al */
	0xff, 0xc9,					/* 7: dec ecx */
	0x75, 0xfa,					/* 9: jnz 5 */
	0xfa, 0xf4,					/* 11: cli; hlt */
};

/* Halt until SINT0 has a message (its interrupt wakes us); take it. No timer: none is needed. */
static void bench_wait(void)
{
	volatile struct hv_message *slot = &simp->sint_message[0];

	while (slot->header.message_type == HVMSG_NONE)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	slot->header.message_type = HVMSG_NONE;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (slot->header.message_flags & HV_MESSAGE_FLAG_PENDING)
		wrmsr(HV_MSR_EOM, 0);
}

/*
 * From the first OUT's message to the last one's: each trip is the root's
 * completion (one SetVpRegisters: RIP past the OUT, INTERCEPT_SUSPEND 0),
 * the child resuming, its DEC/JNZ and next OUT, the exit, the message and
 * the root waking on SINT0. The TSC counts instructions in the emulators
 * of make bench.
 */
static bool bench_child(unsigned n)
{
	const struct hv_register_assoc done[2] = { reg64(HV_X64_REGISTER_RIP, CHILD_CODE + 7),
						   reg64(HV_REGISTER_INTERCEPT_SUSPEND, 0) };
	const struct hv_message *page;
	uint64_t id, t0;
	struct hv_message m;

	if (!child_create(&id, &page, bench_code, sizeof(bench_code)) || !resume(id))
		return false;
	bench_wait();
	t0 = rdtsc();
	for (unsigned i = 1; i < BENCH_TRIPS; i++) {
		if (set_regs(id, done, 2) != HV_STATUS_SUCCESS)
			return FAIL("SetVpRegisters in trip %u", i);
		bench_wait();
	}
	say("root: bench: intercept_rt_child%u=%lu trips=%u", n, (rdtsc() - t0) / (BENCH_TRIPS - 1),
	    BENCH_TRIPS - 1);
	memcpy(&m, page, sizeof(m));
	if (m.header.message_type != HVMSG_X64_IO_PORT_INTERCEPT)
		return FAIL("the last message is %x", m.header.message_type);
	if (set_regs(id, done, 2) != HV_STATUS_SUCCESS)
		return FAIL("last completion");
	bench_wait();					/* HALT */
	return child_destroy(id);
}

void intercept_bench(void)
{
	synic_init();
	for (unsigned n = 0; n < 2; n++)
		if (!bench_child(n)) {
			say("root: bench FAIL: child %u: %s", n, why);
			return;
		}
	say("root: bench done");
}

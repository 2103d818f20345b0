/*
 * root_test=calls (testing): the root proves the root hypercalls
 * (docs/hypercalls.md) through the same client mshv's calls go through
 * (hv.c). It creates a child exactly as mshv does (hyperv-root-abi.md
 * sections 3, 4 and 8), runs a tiny program in it and reads what the
 * program wrote; tears it down as mshv does and checks that its own free
 * pages and the hypervisor's are exactly back; makes every malformed call
 * of the list below and checks each status and that nothing changed; and
 * runs a child that makes each root call, which must all be refused.
 * Each check says `root: test PASS <what>` or `root: test FAIL <what>:
 * got <status>`; at the end `root: test done, N failed` and the machine
 * powers off (HVCALL_X_POWER_OFF).
 */
#include "partitions/root/selftest.h"
#include "arch/x86/cpu.h"

/*
 * HVCALL_X_PARTITION_STATS's exits by reason: they add up to the total,
 * the hypercalls are theirs, and the child's CPUID is counted.
 */
static void check_exit_counts(const struct hv_x_partition_stats *s)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < HV_X_EXIT_REASONS_MAX; i++)
		sum += s->exit_counts[i];
	check_value(sum == s->exits, "the exits by reason add up to the exits", sum);
	check_value(s->exit_counts[HV_X_EXIT_HYPERCALL] == s->hypercalls &&
		    s->exit_counts[HV_X_EXIT_CPUID] >= 1,
		    "the child's hypercall and cpuid exits, by reason",
		    s->exit_counts[HV_X_EXIT_CPUID]);
	check_value(s->io_denied == 0 && s->msr_denied == 0, "the child's denials: none",
		    s->io_denied + s->msr_denied);
}

/* The first child: it computes, the root reads its RAM, and every page comes back. */
static void test_lifecycle(void)
{
	uint64_t pmem0 = pmem_free_pages(), hv0 = hv_free_pages();
	struct hv_x_partition_stats s;
	struct child c = { 0 };
	uint32_t sum, vendor;

	if (build_child(&c, child_calc, child_calc_end) && run_child(&c, &s)) {
		memcpy(&vendor, (uint8_t *)c.ram + 0x2000, 4);
		memcpy(&sum, (uint8_t *)c.ram + 0x2004, 4);
		check_value(s.exit_code == 0x77, "the child's exit code", s.exit_code);
		check_value(sum == 5050, "the value the child computed, read from its RAM", sum);
		check_value(vendor == cpuid(0, 0).ebx, "the CPUID vendor the child stored", vendor);
		check_value(s.hypercalls >= 1 && s.exits >= 2, "the child's exit statistics", s.exits);
		check_exit_counts(&s);
	}
	if (c.id)
		tear_down(&c);
	withdraw_all(HV_PARTITION_ID_SELF);
	check_value(pmem_free_pages() == pmem0, "all our pages are back after the teardown",
		    pmem_free_pages());
	check_value(hv_free_pages() == hv0, "the hypervisor's free pages are exactly back",
		    hv_free_pages());
	say("root: free pages: ours %lu (at the start %lu), the hypervisor's %lu (%lu)",
	    pmem_free_pages(), pmem0, hv_free_pages(), hv0);
}

/* The first page at or above 1 MiB that is none of ours: the hypervisor's (docs/root.md). */
static uint64_t hv_pfn(void)
{
	uint64_t pa = 0x100000;

	for (uint32_t i = 0; i < root_boot->range_count; i++) {
		const struct rootboot_range *r = &root_boot->ranges[i];

		if (pa >= r->gpa && pa < r->gpa + r->size)
			pa = r->gpa + r->size;
	}
	return pa >> 12;
}

static uint16_t map_one(uint64_t id, uint64_t gfn, uint64_t pfn, uint32_t flags, uint32_t padding)
{
	struct hv_input_map_gpa_pages hdr = { id, gfn, flags, padding };

	return hv_rep(HVCALL_MAP_GPA_PAGES, &hdr, sizeof(hdr), &pfn, 8, 1, NULL, 0, NULL);
}

static uint16_t deposit_pfn(uint64_t id, uint64_t pfn)
{
	return hv_rep(HVCALL_DEPOSIT_MEMORY, &id, 8, &pfn, 8, 1, NULL, 0, NULL);
}

/*
 * A page the root deposited is the hypervisor's: it may hold a page table,
 * a VMCB or a partition object. The hypervisor must not write the root's
 * output there (it once did: a statistics buffer over a deposited page
 * overwrote a child's partition object), nor read input from it.
 */
static void test_deposited_page_is_not_a_buffer(void)
{
	struct hv_input_withdraw_memory w = { HV_PARTITION_ID_SELF, { 0, 0 } };
	uint64_t pa = pmem_alloc(1, PAGE), back = 0;
	unsigned done = 0;

	expect(deposit_pfn(HV_PARTITION_ID_SELF, pa >> 12), HV_STATUS_SUCCESS,
	       "a page deposited into the root's own pool");
	expect(hv_fast(HVCALL_X_PARTITION_STATS, HV_PARTITION_ID_SELF, pa, NULL),
	       HV_STATUS_INVALID_PARAMETER, "statistics into a deposited page are refused");
	expect(hv_fast(HVCALL_X_LOG_READ, pa, 64, NULL), HV_STATUS_INVALID_PARAMETER,
	       "the log read into a deposited page is refused");
	expect(hv_fast(HVCALL_X_LOG_READ, pa - 32, 64, NULL), HV_STATUS_INVALID_PARAMETER,
	       "the log read into a buffer that runs into a deposited page is refused");
	expect(hv_fast(HVCALL_X_HV_INFO, pa, 0, NULL), HV_STATUS_INVALID_PARAMETER,
	       "HVCALL_X_HV_INFO into a deposited page is refused");
	expect(hv_fast(HVCALL_X_LOG_HISTORY, pa, 0, NULL), HV_STATUS_INVALID_PARAMETER,
	       "HVCALL_X_LOG_HISTORY with its block in a deposited page is refused");
	expect(hv_rep(HVCALL_WITHDRAW_MEMORY, &w, sizeof(w), NULL, 0, 1, &back, 8, &done),
	       HV_STATUS_SUCCESS, "the deposited page withdrawn");
	expect(back == pa >> 12 ? HV_STATUS_SUCCESS : HV_STATUS_OPERATION_FAILED,
	       HV_STATUS_SUCCESS, "the page withdrawn is the one deposited");
	pmem_free(pa, 1);
}

/*
 * Our SynIC pages are written by the hypervisor from any CPU (a child's
 * intercept note, an event flag): deposited, one could be a child's table
 * page by the time of such a write. They stay ours (when the hypervisor
 * took them, SUCCESS here: the same messages then went into a table page).
 */
static void synic_page_kept(uint32_t msr, const char *what)
{
	struct hv_input_withdraw_memory w = { HV_PARTITION_ID_SELF, { 0, 0 } };
	uint64_t v = rdmsr(msr) | HV_SYNIC_PAGE_ENABLE, back;
	unsigned done;
	uint16_t st;

	wrmsr(msr, v);				/* enabled, as intercept_init leaves it */
	st = deposit_pfn(HV_PARTITION_ID_SELF, (v & HV_SYNIC_PAGE_GPA_MASK) >> 12);
	expect(st, HV_STATUS_INVALID_PARAMETER, what);
	if (st == HV_STATUS_SUCCESS)		/* taken: back, so that the rest can go on */
		hv_rep(HVCALL_WITHDRAW_MEMORY, &w, sizeof(w), NULL, 0, 1, &back, 8, &done);
}

static void test_synic_pages_not_deposited(void)
{
	synic_page_kept(HV_MSR_SIMP, "my SynIC message page (enabled) is not deposited");
	synic_page_kept(HV_MSR_SIEFP, "my SynIC event flags page (enabled) is not deposited");
}

/*
 * A page deposited from inside one of our 2 MiB mappings splits it, with a
 * table page of the hypervisor's; the withdrawal maps it back into that
 * table and, the block whole again, merges the leaf and frees the table.
 * One page from each of many blocks: every deposit succeeds, or (the
 * hypervisor out of pages for splits) is refused with INSUFFICIENT_MEMORY
 * and the page stays ours and mapped, readable at once (it once dropped
 * the whole 2 MiB, and the withdrawal then panicked the hypervisor);
 * withdrawing them all gives the hypervisor back every table page.
 */
#define BLOCK_PAGES	512
#define BLOCKS_MAX	200		/* below the pool's 256 windows: each page needs one */

static void test_deposit_one_page_per_block(void)
{
	uint64_t pmem0 = pmem_free_pages(), hv0 = hv_free_pages(), pa;
	unsigned deposited = 0;
	uint16_t st = HV_STATUS_SUCCESS;

	while (deposited < BLOCKS_MAX && (pa = pmem_alloc(1, BLOCK_PAGES * PAGE)) != 0) {
		st = deposit_pfn(HV_PARTITION_ID_SELF, pa >> 12);
		if (st != HV_STATUS_SUCCESS) {
			check_value(*(volatile uint64_t *)pa == 0, "a refused page is still ours",
				    pa);
			pmem_free(pa, 1);
			break;
		}
		deposited++;
	}
	check(st == HV_STATUS_SUCCESS || st == HV_STATUS_INSUFFICIENT_MEMORY,
	      "a deposit that splits a 2 MiB mapping succeeds or is INSUFFICIENT_MEMORY", st);
	check_value(deposited > 0 && hv_free_pages() < hv0,
		    "deposits from many 2 MiB blocks took table pages", deposited);
	check_value(withdraw_all(HV_PARTITION_ID_SELF) == deposited,
		    "every page deposited one per block withdrawn", deposited);
	check_value(pmem_free_pages() == pmem0 && hv_free_pages() == hv0,
		    "the blocks merged again: the hypervisor's table pages are back",
		    hv_free_pages());
}

/*
 * Unmapping one 4 KiB page of a 2 MiB mapping splits its leaf, which takes
 * a table page from the child's pool. With the pool empty the call must
 * fail with INSUFFICIENT_MEMORY and change nothing (it once dropped the
 * whole 2 MiB and said SUCCESS, the frame table still counting 511 frames
 * as the child's); after a deposit it succeeds.
 */
static void cut_large_page_with_an_empty_pool(uint64_t id, uint64_t big_pfn,
					      const struct hv_x_partition_stats *before)
{
	static uint64_t taken[4096];
	struct hv_input_withdraw_memory w = { id, { 0, 0 } };
	struct hv_input_unmap_gpa_pages one = { id, CHILD_PAGES + 1, 0, 0 };
	struct hv_x_partition_stats s;
	unsigned n = 0, done;

	while (n < ARRAY_SIZE(taken)) {
		done = 0;
		if (hv_rep(HVCALL_WITHDRAW_MEMORY, &w, sizeof(w), NULL, 0, 1, &taken[n], 8, &done) ||
		    !done)
			break;
		n++;
	}
	expect(hv_rep(HVCALL_UNMAP_GPA_PAGES, &one, sizeof(one), NULL, 0, 1, NULL, 0, NULL),
	       HV_STATUS_INSUFFICIENT_MEMORY,
	       "UnmapGpaPages of 4 KiB inside a 2 MiB page with the child's pool empty");
	stats(id, &s);
	check_value(s.mapped_pages == before->mapped_pages, "... and nothing was unmapped",
		    s.mapped_pages);
	for (unsigned i = 0; i < n; i++)
		deposit_pfn(id, taken[i]);
	expect(hv_rep(HVCALL_UNMAP_GPA_PAGES, &one, sizeof(one), NULL, 0, 1, NULL, 0, NULL),
	       HV_STATUS_SUCCESS, "... with its pages deposited again it unmaps that page");
	stats(id, &s);
	check_value(s.mapped_pages == before->mapped_pages - 1, "... and only that page",
		    s.mapped_pages);
	expect(map_one(id, CHILD_PAGES + 1, big_pfn + 1, HV_MAP_GPA_READABLE, 0),
	       HV_STATUS_SUCCESS, "... and maps it back");
}

static bool same_stats(const struct hv_x_partition_stats *a, const struct hv_x_partition_stats *b)
{
	return a->state == b->state && a->vp_count == b->vp_count && a->pool_held == b->pool_held &&
	       a->pool_free == b->pool_free && a->mapped_pages == b->mapped_pages;
}

/* Malformed and misplaced calls against an Initialized child c: each refused, nothing changed. */
static void test_refusals(struct child *c)
{
	uint64_t id = c->id, v = 0, spare = pmem_alloc(1, PAGE), pmem0;
	struct hv_x_partition_stats before, after, rbefore, rafter;
	struct hv_input_create_vp vp5 = { .partition_id = id, .vp_index = 5 };
	struct hv_input_get_partition_property gp = { id, 0x12345, 0 };
	struct hv_input_set_partition_property sp = {
		id, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, 0, 1
	};
	struct hv_input_assert_virtual_interrupt low = {
		.partition_id = id, .control = HV_X64_INTERRUPT_TYPE_FIXED, .vector = 8
	};
	struct hv_register_assoc partly[2] = { reg(HV_X64_REGISTER_RAX, 5),
					       reg(HV_X64_REGISTER_CR0, 1ull << 33) };
	struct hv_output_get_partition_property prop;
	unsigned done = 9;
	uint16_t st;

	ASSERT(spare);
	pmem0 = pmem_free_pages();
	stats(id, &before);
	stats(HV_PARTITION_ID_SELF, &rbefore);
	expect(hv_fast(HVCALL_INITIALIZE_PARTITION, 0, 0, NULL), HV_STATUS_INVALID_PARTITION_ID,
	       "Initialize of partition 0");
	expect(hv_fast(HVCALL_INITIALIZE_PARTITION, 999, 0, NULL), HV_STATUS_INVALID_PARTITION_ID,
	       "Initialize of a partition that does not exist");
	expect(hv_fast(HVCALL_INITIALIZE_PARTITION, root_id, 0, NULL),
	       HV_STATUS_INVALID_PARTITION_ID, "Initialize of the root itself");
	expect(hv_fast(HVCALL_INITIALIZE_PARTITION, id, 0, NULL), HV_STATUS_INVALID_PARTITION_STATE,
	       "Initialize twice (wrong state)");
	expect(hv_fast(HVCALL_DELETE_PARTITION, id, 0, NULL), HV_STATUS_INVALID_PARTITION_STATE,
	       "Delete before Finalize (wrong state)");
	expect(hv_fast(HVCALL_DELETE_PARTITION, HV_PARTITION_ID_SELF, 0, NULL),
	       HV_STATUS_INVALID_PARTITION_ID, "Delete of SELF");
	expect(hv_call(HVCALL_CREATE_VP, &vp5, sizeof(vp5), NULL, 0), HV_STATUS_INVALID_VP_INDEX,
	       "CreateVp 5 before 1 (wrong VP index)");
	vp5.vp_index = 300;
	expect(hv_call(HVCALL_CREATE_VP, &vp5, sizeof(vp5), NULL, 0), HV_STATUS_INVALID_VP_INDEX,
	       "CreateVp 300 (past 255)");
	expect(get_reg(id, 3, HV_X64_REGISTER_RIP, &v), HV_STATUS_INVALID_VP_INDEX,
	       "GetVpRegisters of a VP that does not exist");
	expect(map_one(id, 0x2000, hv_pfn(), HV_MAP_GPA_READABLE, 0), HV_STATUS_ACCESS_DENIED,
	       "MapGpaPages of the hypervisor's memory");
	expect(map_one(id, 0x2000, (c->ram >> 12) + 5, HV_MAP_GPA_READABLE, 0),
	       HV_STATUS_INVALID_PARAMETER, "MapGpaPages of a page already mapped into a child");
	expect(map_one(id, 0x2001, spare >> 12, HV_MAP_GPA_READABLE | HV_MAP_GPA_LARGE_PAGE, 0),
	       HV_STATUS_INVALID_PARAMETER, "MapGpaPages LARGE_PAGE at a GFN not 2 MiB aligned");
	expect(map_one(id, 1ull << 40, spare >> 12, HV_MAP_GPA_READABLE, 0),
	       HV_STATUS_INVALID_PARAMETER, "MapGpaPages at a GPA past 52 bits");
	expect(map_one(id, 1ull << 36, spare >> 12, HV_MAP_GPA_READABLE, 0),
	       HV_STATUS_INVALID_PARAMETER, "MapGpaPages at a GPA past the tables' 48 bits (no wrap to 0)");
	expect(map_one(id, 0x2000, spare >> 12, HV_MAP_GPA_WRITABLE, 0), HV_STATUS_INVALID_PARAMETER,
	       "MapGpaPages writable but not readable");
	expect(map_one(999, 0x2000, spare >> 12, HV_MAP_GPA_READABLE, 0),
	       HV_STATUS_INVALID_PARTITION_ID, "MapGpaPages into a partition that does not exist");
	expect(deposit_pfn(id, hv_pfn()), HV_STATUS_ACCESS_DENIED,
	       "DepositMemory of the hypervisor's memory");
	expect(deposit_pfn(id, c->ram >> 12), HV_STATUS_INVALID_PARAMETER,
	       "DepositMemory of a page mapped into a child");
	expect(deposit_pfn(id, 1ull << 40), HV_STATUS_INVALID_PARAMETER,
	       "DepositMemory of a PFN past 52 bits");
	/* rep counts: more than the input page holds, none, a start past the count */
	memset(raw_page, 0, sizeof(raw_page));
	raw_page[0] = id;
	expect(raw_call(HVCALL_DEPOSIT_MEMORY | 600ull << 32), HV_STATUS_INVALID_ALIGNMENT,
	       "DepositMemory of 600 reps (past the input page)");
	expect(raw_call(HVCALL_DEPOSIT_MEMORY), HV_STATUS_INVALID_HYPERCALL_INPUT,
	       "DepositMemory with no rep count");
	expect(raw_call(HVCALL_DEPOSIT_MEMORY | 2ull << 32 | 2ull << 48),
	       HV_STATUS_INVALID_HYPERCALL_INPUT, "DepositMemory with the rep start at the count");
	expect(raw_call(HVCALL_INITIALIZE_PARTITION | 1ull << 32), HV_STATUS_INVALID_HYPERCALL_INPUT,
	       "a rep count on a simple call");
	expect(hv_call(HVCALL_GET_PARTITION_PROPERTY, &gp, sizeof(gp), &prop, sizeof(prop)),
	       HV_STATUS_UNKNOWN_PROPERTY, "GetPartitionProperty of an unknown property");
	expect(hv_call(HVCALL_SET_PARTITION_PROPERTY, &sp, sizeof(sp), NULL, 0),
	       HV_STATUS_INVALID_PARTITION_STATE,
	       "SetPartitionProperty of synthetic features after Initialize");
	expect(hv_call(HVCALL_ASSERT_VIRTUAL_INTERRUPT, &low, sizeof(low), NULL, 0),
	       HV_STATUS_INVALID_PARAMETER, "AssertVirtualInterrupt of a fixed vector below 16");
	stats(id, &after);
	stats(HV_PARTITION_ID_SELF, &rafter);
	check_value(same_stats(&before, &after) && same_stats(&rbefore, &rafter) &&
		    pmem_free_pages() == pmem0, "nothing changed by the refused calls",
		    after.mapped_pages);

	/* a rep list with a bad second element: the first is done, the count says so */
	st = set_regs(id, 0, partly, 2, &done);
	check(st == HV_STATUS_INVALID_PARAMETER && done == 1,
	      "SetVpRegisters stops at its bad second element, one rep done", st);
	st = get_reg(id, 0, HV_X64_REGISTER_RAX, &v);
	check(!st && v == 5, "... and the first was set", st);
	st = get_reg(id, 0, HV_X64_REGISTER_RIP, &v);
	check(!st && v == CHILD_CODE, "GetVpRegisters reads RIP back", st);
	st = get_reg(id, 0, HV_REGISTER_EXPLICIT_SUSPEND, &v);
	check(!st && v == 1, "a new VP is explicitly suspended", st);

	/* what mshv leaves unwritten is accepted: MapGpaPages padding, CreateVp padding and subnode id */
	expect(map_one(id, 0x2000, spare >> 12, HV_MAP_GPA_READABLE, 0xdeadbeef), HV_STATUS_SUCCESS,
	       "MapGpaPages with garbage padding");
	expect(map_one(id, 0x2000, spare >> 12, HV_MAP_GPA_READABLE, 0), HV_STATUS_INVALID_PARAMETER,
	       "the same page mapped twice");
	{
		struct hv_input_create_vp vp1 = { .partition_id = id, .vp_index = 1,
						  .padding = { 0xaa, 0xbb, 0xcc }, .subnode_id = ~0ull };

		expect(hv_call(HVCALL_CREATE_VP, &vp1, sizeof(vp1), NULL, 0), HV_STATUS_SUCCESS,
		       "CreateVp with garbage padding and subnode id");
	}
	{
		struct hv_input_get_system_property in = { HV_SYSTEM_PROPERTY_SCHEDULER_TYPE, 0,
							   0x1234 };
		struct hv_output_get_system_property out;

		st = hv_call(HVCALL_GET_SYSTEM_PROPERTY, &in, sizeof(in), &out, sizeof(out));
		check(!st && out.scheduler_type == HV_SCHEDULER_TYPE_CORE_SMT,
		      "GetSystemProperty: scheduler type 3 (core SMT), stale argument ignored", st);
	}
	/* a 2 MiB page: one rep maps 512 frames at a 2 MiB-aligned GFN, unmapped the same way */
	{
		uint64_t big = pmem_alloc(512, 2ull << 20);
		struct hv_input_unmap_gpa_pages un = { id, CHILD_PAGES, HV_UNMAP_GPA_LARGE_PAGE, 0 };
		struct hv_x_partition_stats s1, s2;

		ASSERT(big);
		stats(id, &s1);
		expect(map_one(id, CHILD_PAGES, big >> 12, HV_MAP_GPA_READABLE | HV_MAP_GPA_LARGE_PAGE,
			       0), HV_STATUS_SUCCESS, "MapGpaPages of a 2 MiB page");
		stats(id, &s2);
		check_value(s2.mapped_pages == s1.mapped_pages + 512, "... maps 512 frames",
			    s2.mapped_pages);
		expect(deposit_pfn(id, (big >> 12) + 100), HV_STATUS_INVALID_PARAMETER,
		       "a frame inside the 2 MiB page cannot be deposited");
		cut_large_page_with_an_empty_pool(id, big >> 12, &s2);
		expect(hv_rep(HVCALL_UNMAP_GPA_PAGES, &un, sizeof(un), NULL, 0, 1, NULL, 0, NULL),
		       HV_STATUS_SUCCESS, "UnmapGpaPages of the 2 MiB page");
		stats(id, &s2);
		check_value(s2.mapped_pages == s1.mapped_pages, "... unmaps its 512 frames",
			    s2.mapped_pages);
		pmem_free(big, 512);
	}
	/* unmapping the extra page gives it back to us */
	{
		struct hv_input_unmap_gpa_pages un = { id, 0x2000, 0, 0 };

		expect(hv_rep(HVCALL_UNMAP_GPA_PAGES, &un, sizeof(un), NULL, 0, 1, NULL, 0, NULL),
		       HV_STATUS_SUCCESS, "UnmapGpaPages");
		expect(deposit_pfn(root_id, spare >> 12), HV_STATUS_SUCCESS,
		       "the unmapped page is the root's again (it can be deposited)");
	}
}

/* The root calls a child makes: each must be ACCESS_DENIED. */
static const struct { uint64_t control; const char *name; } denied[] = {
	{ HVCALL_CREATE_PARTITION, "CreatePartition" },
	{ HVCALL_INITIALIZE_PARTITION | HV_HYPERCALL_FAST, "InitializePartition" },
	{ HVCALL_FINALIZE_PARTITION | HV_HYPERCALL_FAST, "FinalizePartition" },
	{ HVCALL_DELETE_PARTITION | HV_HYPERCALL_FAST, "DeletePartition" },
	{ HVCALL_GET_PARTITION_PROPERTY, "GetPartitionProperty" },
	{ HVCALL_SET_PARTITION_PROPERTY, "SetPartitionProperty" },
	{ HVCALL_GET_PARTITION_ID, "GetPartitionId" },
	{ HVCALL_DEPOSIT_MEMORY | 1ull << 32, "DepositMemory" },
	{ HVCALL_WITHDRAW_MEMORY | 1ull << 32, "WithdrawMemory" },
	{ HVCALL_MAP_GPA_PAGES | 1ull << 32, "MapGpaPages" },
	{ HVCALL_UNMAP_GPA_PAGES | 1ull << 32, "UnmapGpaPages" },
	{ HVCALL_CREATE_VP, "CreateVp" },
	{ HVCALL_DELETE_VP | HV_HYPERCALL_FAST, "DeleteVp" },
	{ HVCALL_GET_VP_REGISTERS | 1ull << 32, "GetVpRegisters" },
	{ HVCALL_SET_VP_REGISTERS | 1ull << 32, "SetVpRegisters" },
	{ HVCALL_GET_SYSTEM_PROPERTY, "GetSystemProperty" },
	{ HVCALL_ASSERT_VIRTUAL_INTERRUPT, "AssertVirtualInterrupt" },
	{ HVCALL_X_LOG_READ | HV_HYPERCALL_FAST, "HVCALL_X_LOG_READ" },
	{ HVCALL_X_PARTITION_STATS | HV_HYPERCALL_FAST, "HVCALL_X_PARTITION_STATS" },
	{ HVCALL_X_POWER_OFF | HV_HYPERCALL_FAST, "HVCALL_X_POWER_OFF" },
	{ HVCALL_X_HV_INFO | HV_HYPERCALL_FAST, "HVCALL_X_HV_INFO" },
	{ HVCALL_X_LOG_HISTORY | HV_HYPERCALL_FAST, "HVCALL_X_LOG_HISTORY" },
};

static void test_child_denied(void)
{
	uint64_t pmem0 = pmem_free_pages(), hv0 = hv_free_pages();
	struct hv_x_partition_stats s;
	struct child c = { 0 };
	uint8_t *ram;
	char what[96];

	if (!build_child(&c, child_deny, child_deny_end))
		goto out;
	ram = (uint8_t *)c.ram;
	for (unsigned i = 0; i < ARRAY_SIZE(denied); i++)
		memcpy(ram + 0x3000 + 8 * i, &denied[i].control, 8);
	*(uint32_t *)(ram + 0x2ff8) = ARRAY_SIZE(denied);
	test_refusals(&c);
	if (!run_child(&c, &s))
		goto out;
	check_value(s.exit_code == 0x55, "the second child's exit code", s.exit_code);
	for (unsigned i = 0; i < ARRAY_SIZE(denied); i++) {
		uint32_t got;

		memcpy(&got, ram + 0x5000 + 4 * i, 4);
		fmt_snprintf(what, sizeof(what), "a child calling %s gets ACCESS_DENIED",
			     denied[i].name);
		check(got == HV_STATUS_ACCESS_DENIED, what, (uint16_t)got);
	}
out:
	if (c.id)
		tear_down(&c);
	withdraw_all(HV_PARTITION_ID_SELF);
	check_value(pmem_free_pages() == pmem0 && hv_free_pages() == hv0,
		    "all pages are back after the second child", hv_free_pages());
}

static struct hv_x_hv_info info_buf __attribute__((aligned(8)));
static uint8_t unaligned_buf[sizeof(struct hv_x_hv_info) + 8] __attribute__((aligned(8)));

/* HVCALL_X_HV_INFO: its buffer checked, its facts agree with what the root knows. */
static void test_hv_info(void)
{
	const struct hv_x_hv_info *in = &info_buf;
	struct hv_x_partition_stats self;
	uint64_t khz = 0, need = HV_X_FEAT_VIRT | HV_X_FEAT_VIRT_ON | HV_X_FEAT_SLP |
				 HV_X_FEAT_TLB_TAGS;
	char what[64], version[HV_X_VERSION_MAX + 1] = "", backend[HV_X_BACKEND_MAX + 1] = "";

	memset(unaligned_buf, 0x5a, sizeof(unaligned_buf));
	expect(hv_fast(HVCALL_X_HV_INFO, root_image_gpa(unaligned_buf + 4), 0, NULL),
	       HV_STATUS_INVALID_PARAMETER, "HVCALL_X_HV_INFO into an unaligned buffer");
	check_value(unaligned_buf[4] == 0x5a && unaligned_buf[sizeof(unaligned_buf) - 1] == 0x5a,
		    "... writes nothing", unaligned_buf[4]);
	expect(hv_fast(HVCALL_X_HV_INFO, 0x1000ull << 40, 0, NULL), HV_STATUS_INVALID_PARAMETER,
	       "HVCALL_X_HV_INFO into a buffer outside our RAM");
	expect(hv_fast(HVCALL_X_HV_INFO, root_image_gpa(&info_buf), 0, NULL), HV_STATUS_SUCCESS,
	       "HVCALL_X_HV_INFO");
	stats(HV_PARTITION_ID_SELF, &self);
	hv_fast(HVCALL_X_TSC_KHZ, 0, 0, &khz);
	memcpy(version, in->version, HV_X_VERSION_MAX);		/* our format has no %.Ns */
	memcpy(backend, in->backend, HV_X_BACKEND_MAX);
	say("root: hv info: version %s, back-end %s, features %lx, missing %lx, %u CPUs, "
	    "%u partitions, %lu pages: %lu the root's, %lu the hypervisor's (%lu free), "
	    "up %lu us, TSC %lu kHz", version, backend, in->features, in->missing,
	    in->cpus, in->partitions, in->mem_total_pages, in->root_pages, in->hv_held_pages,
	    in->hv_free_pages, in->uptime_us, in->tsc_khz);
	fmt_snprintf(what, sizeof(what), "HVCALL_X_HV_INFO: back-end %s", backend);
	check_value(!strcmp(backend, amd ? "svm" : "vmx"), what, 0);
	check_value(!strncmp(version, "0.11", 4) && strnlen(in->version, HV_X_VERSION_MAX) <
		    HV_X_VERSION_MAX,
		    "HVCALL_X_HV_INFO: the version", 0);
	check_value(in->cpus == root_boot->cpu_count, "HVCALL_X_HV_INFO: the CPUs online", in->cpus);
	check_value((in->features & need) == need && !in->missing,
		    "HVCALL_X_HV_INFO: the features partitions need, none missing", in->missing);
	check_value(in->partitions >= 1, "HVCALL_X_HV_INFO: the partitions, the root counted",
		    in->partitions);
	check_value(in->hv_free_pages <= in->mem_total_pages && in->hv_held_pages > 0 &&
		    in->root_pages + in->hv_free_pages + in->hv_held_pages == in->mem_total_pages,
		    "HVCALL_X_HV_INFO: free within total, which is root, held and free",
		    in->hv_free_pages);
	check_value(in->hv_free_pages == self.hv_free_pages,
		    "HVCALL_X_HV_INFO: free as HVCALL_X_PARTITION_STATS says", in->hv_free_pages);
	check_value(in->root_pages >= pmem_free_pages(), "HVCALL_X_HV_INFO: the root's RAM",
		    in->root_pages);
	check_value(in->tsc_khz == khz && in->uptime_us > 0, "HVCALL_X_HV_INFO: TSC and uptime",
		    in->tsc_khz);
}

static struct hv_x_log_history hist __attribute__((aligned(8)));
static char hist_buf[8192];

static uint16_t history(uint64_t from, uint32_t size, uint32_t reserved, uint64_t *got)
{
	hist = (struct hv_x_log_history){ .from = from, .buf_gpa = root_image_gpa(hist_buf),
					  .size = size, .reserved = reserved, .lost = 77 };
	return hv_fast(HVCALL_X_LOG_HISTORY, root_image_gpa(&hist), 0, got);
}

/* The text has `want` in it. */
static bool has_text(const char *text, uint64_t len, const char *want)
{
	size_t n = strlen(want);

	for (uint64_t at = 0; at + n <= len; at++)
		if (!memcmp(text + at, want, n))
			return true;
	return false;
}

/*
 * HVCALL_X_LOG_HISTORY: bad blocks refused with nothing changed; the lines
 * we already drained (HVCALL_X_LOG_READ) are still there; whole lines; the
 * position goes on where it stopped.
 */
static void test_log_history(void)
{
	static const char drained[] = "log: the root partition sends the log from here on";
	uint64_t got = 0, end, total = 0, oldest;
	bool seen = false, first_not_empty;
	uint16_t st;

	expect(history(0, HV_X_LOG_HISTORY_MIN - 1, 0, &got), HV_STATUS_INVALID_PARAMETER,
	       "HVCALL_X_LOG_HISTORY into a buffer too small for a line");
	expect(history(0, sizeof(hist_buf), 1, &got), HV_STATUS_INVALID_PARAMETER,
	       "HVCALL_X_LOG_HISTORY with a reserved field set");
	check_value(hist.from == 0 && hist.lost == 77, "... changes nothing", hist.lost);
	expect(hv_fast(HVCALL_X_LOG_HISTORY, root_image_gpa(&hist) + 4, 0, &got),
	       HV_STATUS_INVALID_PARAMETER, "HVCALL_X_LOG_HISTORY with an unaligned block");
	st = history(0, sizeof(hist_buf), 0, &got);
	check(st == HV_STATUS_SUCCESS && got > 0 && got <= sizeof(hist_buf) &&
	      hist_buf[got - 1] == '\n', "HVCALL_X_LOG_HISTORY from 0: whole lines", st);
	oldest = hist.lost;		/* from 0: the oldest line held starts here */
	first_not_empty = got > 1 && hist_buf[0] != '\n';
	/* the rest, piece by piece, to the newest line */
	do {
		seen |= has_text(hist_buf, got, drained);
		total += got;
		end = hist.from;
		st = history(end, sizeof(hist_buf), 0, &got);
	} while (st == HV_STATUS_SUCCESS && got && total < (1u << 20));
	check(st == HV_STATUS_SUCCESS && !got && hist.from == end && end >= total,
	      "HVCALL_X_LOG_HISTORY to the newest line, then nothing newer", st);
	check_value(seen, "HVCALL_X_LOG_HISTORY: lines we drained with HVCALL_X_LOG_READ are kept",
		    total);
	expect(history(end + 1, sizeof(hist_buf), 0, &got), HV_STATUS_INVALID_PARAMETER,
	       "HVCALL_X_LOG_HISTORY from past the newest line");
	check_value(hist.from == end + 1 && hist.lost == 77, "... changes nothing", hist.from);
	if (first_not_empty)		/* the oldest line's second byte */
		expect(history(oldest + 1, sizeof(hist_buf), 0, &got), HV_STATUS_INVALID_PARAMETER,
		       "HVCALL_X_LOG_HISTORY from inside a line");
}

void selftest_run(void)
{
	struct hv_output_get_partition_id id;

	amd = cpuid(0, 0).ebx == 0x68747541;	/* "Auth"enticAMD */
	expect(hv_call(HVCALL_GET_PARTITION_ID, NULL, 0, &id, sizeof(id)), HV_STATUS_SUCCESS,
	       "GetPartitionId");
	root_id = id.partition_id;
	test_deposited_page_is_not_a_buffer();
	test_hv_info();
	test_log_history();
	test_synic_pages_not_deposited();
	test_deposit_one_page_per_block();
	test_lifecycle();
	test_child_denied();
	say("root: test done, %u failed", failures);
	console_relay_log();
	hv_fast(HVCALL_X_POWER_OFF, 0, 0, NULL);
}

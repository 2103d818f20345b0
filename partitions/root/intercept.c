/*
 * The root's side of its children's intercepts (hyperv-root-abi.md 5.1,
 * 6; docs/root.md, "Device emulation"). When a child's VP makes an access
 * the hypervisor does not handle (an I/O port, an unmapped GPA), the
 * hypervisor suspends the VP (INTERCEPT_SUSPEND), writes the message into
 * the VP's intercept-message page and posts HVMSG_OPAQUE_INTERCEPT
 * {vp_index} to the root's SINT0, sender = the child's id. The root
 * emulates the access, sets RIP (and RAX for IN) with SetVpRegisters,
 * then clears INTERCEPT_SUSPEND.
 *
 * The SynIC's pages are the hypervisor's choice (SIMP and SIEFP are
 * pre-placed, as for Linux's root, 2.3): the root reads them back and only
 * sets their enable bits. SINT0 uses AutoEOI: the root has no APIC driver,
 * and its vector only ends HLT; the main loop then calls intercept_poll().
 */
#include "partitions/root/child.h"
#include "partitions/root/root.h"
#include "arch/x86/cpu.h"
#include "core/abi/cpuid.h"
#include "core/abi/hypercall.h"

#define SINT0_VECTOR	0x41

static volatile struct hv_message *sint0_slot;	/* NULL: no SynIC, no intercepts */

void intercept_init(void)
{
	uint64_t simp, siefp;

	if (!(cpuid(HV_CPUID_FEATURES_LEAF, 0).eax & HV_PRIV_ACCESS_SYNIC_REGS)) {
		say("root: no SynIC: children's intercepts will not reach me");
		return;
	}
	simp = rdmsr(HV_MSR_SIMP);
	siefp = rdmsr(HV_MSR_SIEFP);
	if (!(simp & HV_SYNIC_PAGE_GPA_MASK)) {
		say("root: the hypervisor placed no SynIC message page: no intercepts");
		return;
	}
	root_idt_set(SINT0_VECTOR, root_wake_isr);
	wrmsr(HV_MSR_SIMP, simp | HV_SYNIC_PAGE_ENABLE);
	if (siefp & HV_SYNIC_PAGE_GPA_MASK)
		wrmsr(HV_MSR_SIEFP, siefp | HV_SYNIC_PAGE_ENABLE);
	wrmsr(HV_MSR_SINT0, SINT0_VECTOR | HV_SINT_AUTO_EOI);	/* unmasked */
	wrmsr(HV_MSR_SCONTROL, HV_SCONTROL_ENABLE);
	sint0_slot = &((struct hv_message_page *)(simp & HV_SYNIC_PAGE_GPA_MASK))->sint_message[0];
	say("root: SynIC message page at %016lx, SINT0 on vector 0x%x", (uint64_t)(simp & HV_SYNIC_PAGE_GPA_MASK),
	    SINT0_VECTOR);
}

static uint16_t call_map_page(uint64_t id, unsigned vp, uint64_t *pfn)
{
	struct hv_input_map_vp_state_page in;
	struct hv_output_map_vp_state_page out;
	uint16_t st;

	memset(&in, 0, sizeof(in));
	in.partition_id = id;
	in.vp_index = vp;
	in.type = HV_VP_STATE_PAGE_INTERCEPT_MESSAGE;
	st = hv_call(HVCALL_MAP_VP_STATE_PAGE, &in, sizeof(in), &out, sizeof(out));
	*pfn = out.map_location;
	return st;
}

uint64_t intercept_map_page(uint64_t id, unsigned vp)
{
	uint64_t pfn = 0;
	uint16_t st = call_map_page(id, vp, &pfn);

	if (st == HV_STATUS_INSUFFICIENT_MEMORY) {	/* mshv: one page, then retry */
		uint64_t pa = pmem_alloc(1, 4096);
		struct hv_input_deposit_memory hdr = { id };
		uint64_t one = pa >> 12;

		if (pa && hv_rep(HVCALL_DEPOSIT_MEMORY, &hdr, sizeof(hdr), &one, 8, 1, NULL, 0,
				 NULL) == HV_STATUS_SUCCESS)
			st = call_map_page(id, vp, &pfn);
		else if (pa)
			pmem_free(pa, 1);
	}
	if (st != HV_STATUS_SUCCESS || !pfn || pfn >= HV_PFN_LIMIT) {
		say("root: MapVpStatePage(INTERCEPT_MESSAGE) of VP %u of %lu: %s", vp, id,
		    hv_status_name(st));
		return 0;
	}
	return pfn << 12;
}

void intercept_unmap_page(uint64_t id, unsigned vp)
{
	struct hv_input_unmap_vp_state_page in;

	memset(&in, 0, sizeof(in));
	in.partition_id = id;
	in.vp_index = vp;
	in.type = HV_VP_STATE_PAGE_INTERCEPT_MESSAGE;
	hv_call(HVCALL_UNMAP_VP_STATE_PAGE, &in, sizeof(in), NULL, 0);
}

/* Let the VP go on (hyperv-root-abi.md 5.1: the intercept's suspend cleared). */
static void resume(struct child *c, unsigned vp)
{
	struct hv_register_assoc r;
	uint16_t st;

	memset(&r, 0, sizeof(r));
	r.name = HV_REGISTER_INTERCEPT_SUSPEND;
	st = child_set_regs(c->id, vp, &r, 1);
	if (st != HV_STATUS_SUCCESS)
		say("root: '%s': resuming VP %u: %s", c->name, vp, hv_status_name(st));
}

/*
 * HLT with interrupts off and no timer: the VP can never wake. It stays
 * suspended (halted for good). Resumed, it would run its HLT again (RIP is
 * on it) and send the next HALT at once: a loop through this CPU that takes
 * time from every vCPU here. When every VP has done so, the child has
 * ended: it stopped (Linux halts so when it cannot power off, ref 8.6). A
 * child with local APICs (a Linux one) sends one HALT, once every VP of
 * its waits so (the hypervisor parks the others: an INIT can end such a
 * HLT, as Linux brings an offline CPU back).
 */
static void halted(struct child *c, unsigned vp)
{
	uint64_t all = c->nvps >= 64 ? ~0ull : (1ull << c->nvps) - 1;

	c->halted_vps |= c->linux ? all : 1ull << vp;
	if (c->halted_vps == all)
		child_ended(c, false, "halted: every vCPU stopped with interrupts off");
}

/*
 * A Linux child's power ports: the access completed, or its end (off, or a
 * reboot). False: not a power port.
 */
static bool platform_port(struct child *c, unsigned vp, const struct hv_x64_io_port_intercept_message *m)
{
	bool write = m->header.intercept_access_type == HV_INTERCEPT_ACCESS_WRITE;
	struct hv_register_assoc regs[2];
	uint32_t val;

	if (m->access_info & HV_X64_IO_PORT_ACCESS_STRING_OP)
		return false;	/* childdev_io_intercept refuses it: the child crashes */
	switch (childplat_power_io(c, m->port_number, write, (uint32_t)m->rax, &val)) {
	case CHILDPLAT_POWER_NOT_MINE:
		return false;
	case CHILDPLAT_POWER_OFF:
		child_ended(c, false, "powered off (ACPI S5)");
		return true;
	case CHILDPLAT_POWER_RESET:
		child_rebooted(c, m->port_number == CHILDPLAT_PORT_RESET ? "reboot (ACPI reset register)"
									 : "reboot (8042 reset pulse)");
		return true;
	default:
		break;
	}
	if (child_set_regs(c->id, vp, regs, childdev_io_complete(m, val, regs)) == HV_STATUS_SUCCESS)
		resume(c, vp);
	return true;
}

static void io_port(struct child *c, unsigned vp, const struct hv_message *msg)
{
	struct hv_x64_io_port_intercept_message m;
	struct hv_register_assoc regs[2];
	unsigned n;
	uint16_t st;

	memcpy(&m, msg->payload, sizeof(m));	/* one copy, then only the copy is read */
	if (c->linux && platform_port(c, vp, &m))
		return;
	n = childdev_io_intercept(&c->dev, &m, regs, child_line, c);
	if (c->linux)
		childplat_com1_sync(c);
	if (!n) {
		child_ended(c, true, "crashed: an I/O access the root cannot complete (string I/O?)");
		return;
	}
	st = child_set_regs(c->id, vp, regs, n);
	if (st != HV_STATUS_SUCCESS) {
		say("root: '%s': completing an I/O access on VP %u: %s", c->name, vp,
		    hv_status_name(st));
		return;
	}
	resume(c, vp);
}

static void unmapped_gpa(struct child *c, unsigned vp, const struct hv_message *msg)
{
	struct hv_x64_memory_intercept_message m;
	char why[128];

	memcpy(&m, msg->payload, sizeof(m));
	if (childplat_mmio(c, vp, &m)) {	/* its I/O APIC */
		resume(c, vp);
		return;
	}
	fmt_snprintf(why, sizeof(why), "crashed on vCPU %u: %s of guest-physical %016lx outside its memory",
		     m.header.vp_index,
		     m.header.intercept_access_type == HV_INTERCEPT_ACCESS_WRITE ? "write" :
		     m.header.intercept_access_type == HV_INTERCEPT_ACCESS_EXECUTE ? "fetch" : "read",
		     m.guest_physical_address);
	child_ended(c, true, why);
}

/* A triple fault, an unexpected exception or a failed entry: the hypervisor's log says which. */
static void unrecoverable(struct child *c, uint32_t vp)
{
	char why[96];

	fmt_snprintf(why, sizeof(why), "crashed on vCPU %u: an unrecoverable exception", vp);
	child_ended(c, true, why);
}

/* One intercept message of child `c` (from its VP's page, or SINT0's slot itself). */
static void handle(struct child *c, const struct hv_message *msg)
{
	struct hv_x64_intercept_message_header h;

	memcpy(&h, msg->payload, sizeof(h));
	if (h.vp_index >= c->nvps) {
		say("root: '%s': a message for VP %u, which it lacks", c->name, h.vp_index);
		return;
	}
	switch (msg->header.message_type) {
	case HVMSG_X64_IO_PORT_INTERCEPT:
		io_port(c, h.vp_index, msg);
		break;
	case HVMSG_UNMAPPED_GPA:
	case HVMSG_GPA_INTERCEPT:
		unmapped_gpa(c, h.vp_index, msg);
		break;
	case HVMSG_UNRECOVERABLE_EXCEPTION:
		unrecoverable(c, h.vp_index);
		break;
	case HVMSG_X64_HALT:
		halted(c, h.vp_index);
		break;
	default:
		say("root: '%s': intercept message 0x%x not handled", c->name,
		    msg->header.message_type);
		resume(c, h.vp_index);
		break;
	}
}

static void dispatch(const struct hv_message *m)
{
	struct child *c = child_by_id(m->header.sender);
	struct hv_message page_msg;
	uint32_t vp;

	if (!c && child_was_destroyed(m->header.sender))
		return;		/* posted before its end, read after: nothing to complete */
	if (!c || (c->state != CHILD_RUNNING && c->state != CHILD_CREATED &&
		   c->state != CHILD_PAUSED)) {
		say("root: SINT0 message 0x%x from unknown partition %lu", m->header.message_type,
		    m->header.sender);
		return;
	}
	if (m->header.message_type != HVMSG_OPAQUE_INTERCEPT) {
		handle(c, m);
		return;
	}
	memcpy(&vp, m->payload, sizeof(vp));
	if (vp >= c->nvps || !c->msg_page[vp]) {
		say("root: '%s': an intercept on VP %u without a message page", c->name, vp);
		return;
	}
	memcpy(&page_msg, (const void *)c->msg_page[vp], sizeof(page_msg));
	handle(c, &page_msg);
}

bool intercept_pending(void)
{
	return sint0_slot && sint0_slot->header.message_type != HVMSG_NONE;
}

/*
 * At most INTERCEPT_POLL_MAX messages a call: a child that writes its port
 * in a loop posts again as soon as it is resumed, and would otherwise keep
 * the root here for good, its script, the other children's ends and the
 * hypervisor's log unread. The main loop then does not halt while one
 * waits (intercept_pending).
 */
#define INTERCEPT_POLL_MAX	64

void intercept_poll(void)
{
	struct hv_message m;

	if (!sint0_slot)
		return;
	for (unsigned n = 0; n < INTERCEPT_POLL_MAX &&
			     sint0_slot->header.message_type != HVMSG_NONE; n++) {
		memcpy(&m, (const void *)sint0_slot, sizeof(m));
		sint0_slot->header.message_type = HVMSG_NONE;
		__asm__ volatile("mfence" ::: "memory");
		wrmsr(HV_MSR_EOM, 0);	/* TLFS 11.10.3: the next queued message, if any */
		dispatch(&m);
		console_pump();		/* a chatty child's lines leave while it talks */
	}
}

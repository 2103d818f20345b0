/*
 * A Linux child's platform in the root (docs/linux.md; addresses and
 * ports in core/abi/childplat.h): the I/O APIC that its COM1 interrupts
 * through, and the ACPI power registers. The models are pure (ioapic.c,
 * uart_model.c, core/mmio_insn.c); this file joins them to the child's
 * intercepts and sends their interrupts with HvCallAssertVirtualInterrupt
 * to the local APICs, which are the hypervisor's (partitions/lapic.c).
 */
#include "partitions/root/child.h"
#include "partitions/root/root.h"
#include "core/abi/childplat.h"
#include "core/abi/hypercall.h"
#include "core/mmio_insn.h"

#define HV_SEG_ATTR_L	(1u << 13)	/* hv_x64_segment_register attributes (TLFS layout) */
#define HV_SEG_ATTR_DB	(1u << 14)
#define PORT_KBD_CMD	0x64		/* 8042 command: 0xFE pulses the reset line */
#define KBD_PULSE_RESET	0xfe
#define CF9_RST_CPU	0x04		/* reset control register: the reset itself */

void childplat_reset(struct child *c)
{
	ioapic_reset(&c->ioapic, (uint8_t)c->nvps);	/* the MADT's I/O APIC ID (acpi_build.c) */
	c->com1_irq = false;
	c->cf9 = 0;
}

/* An I/O APIC message to the child's local APICs (TLFS HvCallAssertVirtualInterrupt). */
static void assert_interrupt(struct child *c, const struct ioapic_msg *m)
{
	struct hv_input_assert_virtual_interrupt in;
	uint16_t st;

	memset(&in, 0, sizeof(in));
	in.partition_id = c->id;
	in.control = m->mode | (m->level ? HV_INTERRUPT_CONTROL_LEVEL : 0) |
		     (m->logical ? HV_INTERRUPT_CONTROL_LOGICAL_DEST : 0);
	in.dest_addr = m->dest;
	in.vector = m->vector;
	st = hv_call(HVCALL_ASSERT_VIRTUAL_INTERRUPT, &in, sizeof(in), NULL, 0);
	if (st != HV_STATUS_SUCCESS)
		say("root: '%s': AssertVirtualInterrupt(vector 0x%x): %s", c->name, m->vector,
		    hv_status_name(st));
}

void childplat_com1_sync(struct child *c)
{
	bool level = uart_model_irq(&c->dev.com1);
	struct ioapic_msg m;

	if (!c->linux || level == c->com1_irq)
		return;
	c->com1_irq = level;
	if (ioapic_set_line(&c->ioapic, CHILDPLAT_COM1_GSI, level, &m))
		assert_interrupt(c, &m);
}

/*
 * The power registers (FADT, acpi_build.c) and the reset paths Linux
 * tries (hyperv-linux-guest.md 8.2): S5 through SLEEP_CONTROL, RESET_REG
 * (0xCF9), the 8042's reset pulse. Anything else on those ports is an
 * ordinary write. *end says what the child asked for.
 */
enum childplat_power childplat_power_io(struct child *c, uint16_t port, bool write, uint32_t val,
					 uint32_t *out)
{
	*out = 0;
	switch (port) {
	case CHILDPLAT_PORT_SLEEP_CONTROL:
		if (write && (val & CHILDPLAT_SLP_EN) && (val >> 2 & 7) == CHILDPLAT_S5_TYP)
			return CHILDPLAT_POWER_OFF;
		return CHILDPLAT_POWER_ON;
	case CHILDPLAT_PORT_SLEEP_STATUS:
		return CHILDPLAT_POWER_ON;
	case CHILDPLAT_PORT_RESET:
		if (!write) {
			*out = c->cf9;
			return CHILDPLAT_POWER_ON;
		}
		c->cf9 = (uint8_t)val;
		return (val & CF9_RST_CPU) ? CHILDPLAT_POWER_RESET : CHILDPLAT_POWER_ON;
	case PORT_KBD_CMD:
		if (write && (uint8_t)val == KBD_PULSE_RESET)
			return CHILDPLAT_POWER_RESET;
		/*
		 * Status 0: nothing to read, ready for a command, so Linux's
		 * kb_wait() before its reset pulse does not poll 65536 times.
		 */
		*out = 0;
		return CHILDPLAT_POWER_ON;
	default:
		return CHILDPLAT_POWER_NOT_MINE;
	}
}

static unsigned code_mode(const struct hv_x64_intercept_message_header *h)
{
	if ((h->execution_state & HV_X64_EXEC_STATE_EFER_LMA) && (h->cs_segment.attributes & HV_SEG_ATTR_L))
		return 64;
	return (h->cs_segment.attributes & HV_SEG_ATTR_DB) ? 32 : 16;
}

/*
 * An access to the I/O APIC's page: decoded from the message's
 * instruction bytes, emulated, and completed (RIP past the instruction,
 * the register of a read). False: not the I/O APIC's, or not an access
 * the decoder knows; the caller takes it for a stray access.
 */
bool childplat_mmio(struct child *c, unsigned vp, const struct hv_x64_memory_intercept_message *m)
{
	uint64_t off = m->guest_physical_address - CHILDPLAT_IOAPIC_GPA, reg = 0;
	unsigned mode = code_mode(&m->header);
	struct hv_register_assoc regs[2];
	struct ioapic_msg msg;
	struct mmio_insn d;
	unsigned n = 1;

	uint16_t st;

	if (!c->linux || off >= 0x1000)
		return false;
	if (!mmio_insn_decode(m->instruction_bytes, MIN(m->instruction_byte_count, sizeof(m->instruction_bytes)),
			      mode, &d) || d.reg == 4 /* RSP */) {
		say("root: '%s': an I/O APIC access by an instruction I do not emulate (%u bytes: %02x %02x %02x %02x, %u-bit)",
		    c->name, m->instruction_byte_count, m->instruction_bytes[0], m->instruction_bytes[1],
		    m->instruction_bytes[2], m->instruction_bytes[3], mode);
		return false;
	}
	if (!d.write || !d.has_imm) {
		st = child_get_reg(c->id, vp, HV_X64_REGISTER_RAX + d.reg, &reg);
		if (st != HV_STATUS_SUCCESS) {
			say("root: '%s': GetVpRegisters on VP %u: %s", c->name, vp, hv_status_name(st));
			return false;
		}
	}
	memset(regs, 0, sizeof(regs));
	if (d.write && ioapic_mmio_write(&c->ioapic, (uint32_t)off,
					 (uint32_t)mmio_insn_store_value(&d, reg), &msg))
		assert_interrupt(c, &msg);
	if (!d.write || d.xchg) {
		regs[1].name = HV_X64_REGISTER_RAX + d.reg;
		regs[1].value.reg64 = mmio_insn_load(&d, reg, ioapic_mmio_read(&c->ioapic, (uint32_t)off),
						     mode);
		n = 2;
	}
	regs[0].name = HV_X64_REGISTER_RIP;
	regs[0].value.reg64 = m->header.rip + d.len;
	return child_set_regs(c->id, vp, regs, n) == HV_STATUS_SUCCESS;
}

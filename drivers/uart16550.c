/*
 * 16550 UART, polled. Register map from the PC16550D datasheet: THR/RBR 0,
 * IER 1, FCR 2, LCR 3, MCR 4, LSR 5, SCR 7; DLL/DLM at 0/1 while LCR.DLAB.
 */
#include "drivers/uart16550.h"
#include "arch/x86/cpu.h"

enum { THR = 0, RBR = 0, IER = 1, FCR = 2, IIR = 2, LCR = 3, MCR = 4, LSR = 5, SCR = 7 };
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LCR_DLAB	0x80
#define LCR_8N1		0x03
#define IIR_FIFOS_ON	0xc0	/* both bits: a 16550A with working FIFOs */
#define UART_CLOCK	115200

bool uart_init(uint16_t port, uint32_t baud)
{
	uint16_t div = (uint16_t)(UART_CLOCK / baud);

	/* the scratch register tells whether a UART is there at all */
	outb((uint16_t)(port + SCR), 0x5a);
	if (inb((uint16_t)(port + SCR)) != 0x5a)
		return false;
	outb((uint16_t)(port + IER), 0);
	outb((uint16_t)(port + LCR), LCR_DLAB);
	outb((uint16_t)(port + THR), (uint8_t)div);
	outb((uint16_t)(port + IER), (uint8_t)(div >> 8));
	outb((uint16_t)(port + LCR), LCR_8N1);
	/*
	 * The FIFOs are left as they are: turning them on clears the receiver
	 * (PC16550D, FCR bit 0), and a byte the other end sent early (piped
	 * standard input, in an emulator) would be lost. The root console turns
	 * them on once nothing waits in the receiver (uart_fifo_on_if_idle).
	 */
	outb((uint16_t)(port + MCR), 0x03);	/* DTR, RTS */
	return true;
}

bool uart_fifo_on_if_idle(uint16_t port)
{
	if (uart_tx_fifo_depth(port) > 1)
		return true;
	if (inb((uint16_t)(port + LSR)) & LSR_DR)
		return false;		/* a byte waits: it would be cleared */
	outb((uint16_t)(port + FCR), 0x07);	/* enable and clear FIFOs */
	return uart_tx_fifo_depth(port) > 1;
}

void uart_putc(uint16_t port, char c)
{
	/* bounded wait: a wedged UART must not hang the hypervisor */
	for (unsigned spin = 0; spin < 100000; spin++)
		if (inb((uint16_t)(port + LSR)) & LSR_THRE)
			break;
	outb((uint16_t)(port + THR), (uint8_t)c);
}


unsigned uart_tx_fifo_depth(uint16_t port)
{
	return (inb((uint16_t)(port + IIR)) & IIR_FIFOS_ON) == IIR_FIFOS_ON ? 16 : 1;
}

bool uart_tx_empty(uint16_t port)
{
	return inb((uint16_t)(port + LSR)) & LSR_THRE;
}

void uart_tx_byte(uint16_t port, char c)
{
	outb((uint16_t)(port + THR), (uint8_t)c);
}

bool uart_rx_ready(uint16_t port)
{
	return inb((uint16_t)(port + LSR)) & LSR_DR;
}

uint8_t uart_rx_byte(uint16_t port)
{
	return inb((uint16_t)(port + RBR));
}

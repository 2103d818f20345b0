/* 16550 UART on an I/O port, polled (no interrupts). */
#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include "core/types.h"

/*
 * What the UART had received before uart_init reset its FIFOs: input piped
 * in at power-on (QEMU's 16550 keeps it in the receive FIFO, which the
 * reset would clear). The first UART_EARLY_RX_MAX bytes; the rest are lost.
 */
#define UART_EARLY_RX_MAX	16
struct uart_early_rx {
	uint8_t bytes[UART_EARLY_RX_MAX];
	uint32_t len;
};

/*
 * Program the UART for 8N1 at `baud`; false if nothing answers at `port`.
 * Bytes waiting in its receiver go to *rx first (rx may be NULL: dropped).
 */
bool uart_init(uint16_t port, uint32_t baud, struct uart_early_rx *rx);
void uart_putc(uint16_t port, char c);

/*
 * Sending without waiting: when uart_tx_empty(), the transmitter takes
 * uart_tx_fifo_depth() bytes through uart_tx_byte() at once. (With FIFOs
 * on, LSR.THRE means the whole transmit FIFO is empty: PC16550D, LSR bit 5.)
 */
unsigned uart_tx_fifo_depth(uint16_t port);
bool uart_tx_empty(uint16_t port);
void uart_tx_byte(uint16_t port, char c);
/* A received byte waits (LSR.DR); read it (RBR). Polled: the root console's input. */
bool uart_rx_ready(uint16_t port);
uint8_t uart_rx_byte(uint16_t port);

#endif

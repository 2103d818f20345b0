/* 16550 UART on an I/O port, polled (no interrupts). */
#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include "core/types.h"

/* Program the UART for 8N1 at `baud`; false if nothing answers at `port`. */
bool uart_init(uint16_t port, uint32_t baud);
void uart_putc(uint16_t port, char c);

/*
 * Sending without waiting: when uart_tx_empty(), the transmitter takes
 * uart_tx_fifo_depth() bytes through uart_tx_byte() at once. (With FIFOs
 * on, LSR.THRE means the whole transmit FIFO is empty: PC16550D, LSR bit 5.)
 */
unsigned uart_tx_fifo_depth(uint16_t port);
bool uart_tx_empty(uint16_t port);
void uart_tx_byte(uint16_t port, char c);
/*
 * Turn the FIFOs on unless a received byte waits (that would clear it):
 * true once they are on (a 16450 has none: false for ever, harmlessly).
 */
bool uart_fifo_on_if_idle(uint16_t port);
/* A received byte waits (LSR.DR); read it (RBR). Polled: the root console's input. */
bool uart_rx_ready(uint16_t port);
uint8_t uart_rx_byte(uint16_t port);

#endif

/* 16550 UART on an I/O port, polled (no interrupts). */
#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include "core/types.h"

/* Program the UART for 8N1 at `baud`; false if nothing answers at `port`. */
bool uart_init(uint16_t port, uint32_t baud);
void uart_putc(uint16_t port, char c);
void uart_write(uint16_t port, const char *s, size_t n);

#endif

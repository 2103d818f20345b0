/* Legacy 8259A interrupt controllers: remapped away from the exception vectors, all masked. */
#ifndef DRIVERS_PIC8259_H
#define DRIVERS_PIC8259_H

void pic_disable(void);

#endif

# Test guests: ELF64 executables run as partitions by the system tests.
# Included by the top-level Makefile; BUILD is set there.
GUESTS        := cpuid msr io timer secret snoop crash smp bench fpu wildwrite wildexec chatty \
                 reflect ctlreg virtinsn pace ring3 topo \
                 wakeup irqoff crowd flood burst nap dbloop acloop hog meter sleeper hvcall synic tlfs \
                 ticker halter
GUEST_CFLAGS  := -std=c11 -ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie \
                 -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mcmodel=small -O2 -g \
                 -fno-asynchronous-unwind-tables -Wall -Wextra -Werror -I.
GUEST_RT      := tests/guests/start.S tests/guests/runtime.c core/format.c core/lib.c arch/x86/isr.S
GUEST_ELFS    := $(patsubst %,$(BUILD)/guests/%.elf,$(GUESTS))

.PHONY: guests
guests: $(GUEST_ELFS)

$(BUILD)/guests/%.elf: tests/guests/%.c $(GUEST_RT) tests/guests/guest.h tests/guests/guest.ld | deps
	@mkdir -p $(dir $@)
	@echo "  GUEST   $@"
	@$(CC) $(GUEST_CFLAGS) -nostdlib -static -no-pie -Wl,-T,tests/guests/guest.ld \
		-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Wl,--build-id=none -o $@ $< $(GUEST_RT)

# Multiboot test kernels: 32-bit, loaded at 1 MiB, entered in protected mode.
# mb1.elf is loaded through its Multiboot header's address fields, mb2.elf
# through its ELF32 program headers; mbreal.elf (address fields) drops to
# real mode; mbacirq.elf (address fields) takes its timer interrupt at CPL 3
# on a misaligned stack.
MB_GUESTS     := mb1 mb2 mbreal mbacirq
MB_CFLAGS     := -m32 -march=i686 -std=c11 -ffreestanding -fno-builtin -fno-stack-protector \
                 -fno-pic -fno-pie -mno-mmx -mno-sse -mno-sse2 -O2 -g \
                 -fno-asynchronous-unwind-tables -Wall -Wextra -Werror -I.
MB_COMMON     := tests/guests/mb/common.c tests/guests/mb/realmode.c tests/guests/mb/mb.h \
                 tests/guests/mb/mb.ld core/abi/hypercall.h
MB_ELFS       := $(patsubst %,$(BUILD)/guests/%.elf,$(MB_GUESTS))

guests: $(MB_ELFS)

$(MB_ELFS): $(BUILD)/guests/%.elf: tests/guests/mb/%.S tests/guests/mb/%.c $(MB_COMMON) | deps
	@mkdir -p $(dir $@)
	@echo "  GUEST32 $@"
	@$(CC) $(MB_CFLAGS) -nostdlib -static -no-pie -Wl,-m,elf_i386 -Wl,-T,tests/guests/mb/mb.ld \
		-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
		-Wl,--build-id=none -o $@ tests/guests/mb/$*.S tests/guests/mb/$*.c \
		tests/guests/mb/common.c tests/guests/mb/realmode.c core/lib.c

# Microhypervisor build, run and test.
#   make            build/hv.elf and build/hv.iso
#   make run        boot the ISO under QEMU (knobs below), serial on the terminal
#   make test       host unit tests, fuzz smoke runs, whole-system tests (QEMU and Bochs)
#   make fuzz       run the fuzzers longer (FUZZ_SECONDS, default 60 each)
#   make bench      exit costs and footprint under QEMU -icount (instruction counts)
#   make system CASES=bochs   only the system cases whose name contains "bochs"
#   make linux-material       the Linux child's test material in build/linux (tests/linux/)
# Knobs for run: CPUS=n MEM=512M UEFI=1 EMU=qemu|bochs ACCEL=tcg|kvm CMDLINE="..." DEMO=0|1
#                SCRIPT=file (the root's start-up script instead of its default one)
#                LINUX=1 (a Linux child with a shell: tests/linux/run-linux.txt, `part console linux`)

BUILD   := build
CC      := gcc
LD      := ld
CPUS    ?= 2
MEM     ?= 512M
EMU     ?= qemu
ACCEL   ?= tcg
UEFI    ?= 0
CMDLINE ?=
DEMO    ?= 1
SCRIPT  ?=
LINUX   ?= 0
# make run boots into the root partition, which creates the demonstration partitions (docs/root.md).
DEFAULT_CMDLINE := serial=com1,115200 loglvl=info
# Installs the Debian packages that every target below needs (when missing).
# Each target runs it first (as an order-only prerequisite of every rule that
# runs a tool), so a fresh machine needs nothing but gcc, binutils and make.
DEPS_SH ?= tests/system/deps.sh
# With DEMO=1 the ISO carries two demonstration partitions (test guests).
# With them, for the console's `part create`: a sample config file (docs/demo.cfg) and the ticker
# guest with no partition= (no partition of its own at boot), when it is built.
DEMO_MODULES = "$(BUILD)/guests/cpuid.elf:cpuid.elf partition=demo-cpuid mem=4M" \
               "$(BUILD)/guests/smp.elf:smp.elf partition=demo-smp mem=4M vcpus=2" \
               "docs/demo.cfg:demo.cfg" \
               $(if $(wildcard $(BUILD)/guests/ticker.elf),"$(BUILD)/guests/ticker.elf:ticker.elf")
# SCRIPT=file: the file becomes a boot module named by its basename, which script= names to the
# root as its start-up script.
SCRIPT_MODULE  = $(if $(SCRIPT),"$(SCRIPT):$(notdir $(SCRIPT))")
SCRIPT_CMDLINE = $(if $(SCRIPT),script=$(notdir $(SCRIPT)))

# The Linux child's test material (issue 12, tests/linux/, docs/testing.md "The Linux child"): Debian
# 12's kernel (the package linux-image-amd64 depends on) and busybox-static, downloaded with
# apt-get download and unpacked here (nothing is installed), and an initramfs made from busybox
# and tests/linux/init. LINUX_DEBS=FOLDER: take the .deb files from there instead (offline).
LINUX_DIR  := $(BUILD)/linux
LINUX_DEBS ?=
LINUX_FETCH_SH ?= tests/linux/fetch-deb.sh
LINUX_MATERIAL := $(LINUX_DIR)/vmlinuz $(LINUX_DIR)/initrd.gz
# make run LINUX=1: the two as boot modules, and a start-up script that creates and starts the
# child "linux" (2 vCPUs, 256 MiB, lxtest=shell): `part console linux` reaches its shell.
LINUX_MODULES = "$(LINUX_DIR)/vmlinuz:vmlinuz" "$(LINUX_DIR)/initrd.gz:initrd.gz" \
                "tests/linux/run-linux.txt:run-linux.txt"
LINUX_CMDLINE = script=run-linux.txt

WARN    := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
           -Wvla -Wpointer-arith -Wundef -Wformat=2 -Wno-format-nonliteral
CFLAGS  := -std=c11 -ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie \
           -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-avx -mcmodel=small \
           -fno-asynchronous-unwind-tables -O2 -g $(WARN) -I. -MMD -MP
ASFLAGS := -I. -MMD -MP -D__ASSEMBLY__
LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack -T linker/hv.ld

# Pure code that only the root kernel runs: the child image loaders, the start-up
# script's parser, and the console's xl.cfg parser and JSON writer. It lives beside the library it shares (and is unit-tested and fuzzed
# on the host from there), but the hypervisor parses no guest image: not in hv.elf.
ROOT_ONLY_SRCS := core/script.c core/script_default.c core/xlcfg.c core/json.c core/elf.c core/mbhdr.c partitions/mbinfo.c \
                  partitions/childload.c partitions/childload_linux.c partitions/bzimage.c
# Every other .c/.S under the hypervisor's folders is part of the image.
HV_DIRS := arch/x86 arch/x86/boot arch/x86/svm arch/x86/vmx core drivers partitions vmbus
HV_SRCS := $(filter-out $(ROOT_ONLY_SRCS),\
             $(foreach d,$(HV_DIRS),$(wildcard $(d)/*.c) $(wildcard $(d)/*.S)))
HV_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(HV_SRCS))

# The root kernel (partitions/root/, docs/root.md): a program of its own that
# compiles the library sources it shares with the hypervisor, linked at the
# top 2 GiB and turned into our flat image, which hv.elf carries built in.
ROOT_SRCS := $(wildcard partitions/root/*.c) $(wildcard partitions/root/*.S) \
             core/format.c core/lib.c core/cmdline.c core/palloc.c drivers/uart16550.c \
             $(ROOT_ONLY_SRCS) core/logring.c core/mmio_insn.c
ROOT_OBJS := $(patsubst %,$(BUILD)/root/obj/%.o,$(ROOT_SRCS))
ROOT_CFLAGS := $(filter-out -mcmodel=small,$(CFLAGS)) -mcmodel=kernel
ROOT_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
                -T partitions/root/root.ld

.PHONY: all run test unit system bench fuzz fuzz-quick deps check-make clean
all: $(BUILD)/hv.elf $(BUILD)/hv.iso

$(BUILD)/obj/%.c.o: %.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.S.o: %.S | deps
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(ASFLAGS) -c $< -o $@

$(BUILD)/root/obj/%.c.o: %.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(ROOT_CFLAGS) -c $< -o $@

$(BUILD)/root/obj/%.S.o: %.S | deps
	@mkdir -p $(dir $@)
	@echo "  AS      $@"
	@$(CC) $(ASFLAGS) -c $< -o $@

$(BUILD)/root/root.elf: $(ROOT_OBJS) partitions/root/root.ld | deps
	@echo "  LD      $@"
	@$(LD) $(ROOT_LDFLAGS) -o $@ $(ROOT_OBJS)

# The header's file_size (offset 32) must be the file's size: the hypervisor checks it.
$(BUILD)/root/root.bin: $(BUILD)/root/root.elf | deps
	@echo "  OBJCOPY $@"
	@objcopy -O binary $< $@
	@test "$$(stat -c %s $@)" -eq "$$(od -An -t u8 -j 32 -N 8 $@ | tr -d ' ')" || \
		(echo "error: $@: header file_size is not the file's size" && rm -f $@ && false)

# The Linux child's DSDT, compiled by iasl and embedded in the root kernel.
DEPS_TARGET := deps
include partitions/root/dsdt.mk
$(BUILD)/root/obj/partitions/root/dsdt_aml.S.o: $(DSDT_AML)
$(BUILD)/root/obj/partitions/root/dsdt_aml.S.o: ASFLAGS += -DDSDT_AML_PATH='"$(DSDT_AML)"'

$(BUILD)/obj/partitions/root_image.S.o: $(BUILD)/root/root.bin
$(BUILD)/obj/partitions/root_image.S.o: ASFLAGS += -DROOT_IMAGE_PATH='"$(BUILD)/root/root.bin"'

# The hypervisor's version (HVCALL_X_HV_INFO): VERSION and, where git can
# tell, `git describe --always --dirty`. The header changes only when the
# text does, so that hv.elf is not relinked for nothing.
VERSION := 0.11
$(BUILD)/hv_version.h: FORCE
	@mkdir -p $(dir $@)
	@d=$$(git describe --always --dirty 2>/dev/null); \
	echo "#define HV_VERSION \"$(VERSION)$${d:+-$$d}\"" > $@.new; \
	cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@
$(BUILD)/obj/core/hvinfo.c.o: $(BUILD)/hv_version.h
$(BUILD)/obj/core/hvinfo.c.o: CFLAGS += -include $(BUILD)/hv_version.h

$(BUILD)/hv.elf: $(HV_OBJS) linker/hv.ld | deps
	@echo "  LD      $@"
	@$(LD) $(LDFLAGS) -o $@ $(HV_OBJS)
	@grub-file --is-x86-multiboot2 $@ || (echo "error: $@ is not Multiboot2" && rm -f $@ && false)

# The ISO's grub.cfg carries the command line, so rebuild it whenever asked. (The recipe is
# expanded after the guests are built: DEMO_MODULES sees whether ticker.elf exists.)
$(BUILD)/hv.iso: $(BUILD)/hv.elf $(if $(filter 1,$(DEMO)),guests) \
		$(if $(filter 1,$(LINUX)),$(LINUX_MATERIAL)) FORCE | deps
	@$(if $(SCRIPT),test -f "$(SCRIPT)" || { echo "error: SCRIPT=$(SCRIPT): no such file"; exit 1; })
	@$(if $(filter 1,$(LINUX)),$(if $(SCRIPT),echo "error: LINUX=1 brings its own start-up script; no SCRIPT="; exit 1))
	@tests/system/mkiso.sh $< $@ "$(strip $(DEFAULT_CMDLINE) $(SCRIPT_CMDLINE) \
		$(if $(filter 1,$(LINUX)),$(LINUX_CMDLINE)) $(CMDLINE))" \
		$(if $(filter 1,$(DEMO)),$(DEMO_MODULES)) $(SCRIPT_MODULE) \
		$(if $(filter 1,$(LINUX)),$(LINUX_MODULES))
FORCE:

deps:
	@$(DEPS_SH)

.PHONY: linux-material
linux-material: $(LINUX_MATERIAL)

$(LINUX_DIR)/vmlinuz: | deps
	@mkdir -p $(LINUX_DIR)
	@LINUX_DEBS="$(LINUX_DEBS)" $(LINUX_FETCH_SH) linux-image-amd64 $(LINUX_DIR) 'boot/vmlinuz-*' $@

$(LINUX_DIR)/busybox: | deps
	@mkdir -p $(LINUX_DIR)
	@LINUX_DEBS="$(LINUX_DEBS)" $(LINUX_FETCH_SH) busybox-static $(LINUX_DIR) bin/busybox $@

$(LINUX_DIR)/initrd.gz: $(LINUX_DIR)/busybox tests/linux/init tests/linux/mkinitrd.sh | deps
	@echo "  INITRD  $@"
	@tests/linux/mkinitrd.sh $(LINUX_DIR)/busybox tests/linux/init $@

run: $(BUILD)/hv.iso | deps
	@tests/system/boot.sh --emu $(EMU) --iso $< --cpus $(CPUS) --mem $(MEM) \
		--uefi $(UEFI) --accel $(ACCEL) --interactive

include tests/unit/unit.mk
include tests/guests/guests.mk

system: $(BUILD)/hv.elf guests $(LINUX_MATERIAL) | deps
	@tests/system/run-tests.sh $(BUILD) $(CASES)

bench: $(BUILD)/hv.elf guests $(LINUX_MATERIAL) | deps
	@tests/bench/run-bench.sh $(BUILD)

# Every target installs its packages before it runs a tool (tests/system/check-make.sh).
CHECK_MAKE_SH ?= tests/system/check-make.sh
check-make:
	@$(CHECK_MAKE_SH)

test: deps
	$(MAKE) --no-print-directory check-make
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory fuzz-quick
	$(MAKE) --no-print-directory system

clean:
	rm -rf $(BUILD)

-include $(HV_OBJS:.o=.d) $(ROOT_OBJS:.o=.d)

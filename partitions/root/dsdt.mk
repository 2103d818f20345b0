# The Linux child's DSDT (docs/linux.md "ACPI tables"): partitions/root/dsdt.asl
# compiled by iasl (acpica-tools, which tests/system/deps.sh installs) into
# $(DSDT_AML), which partitions/root/dsdt_aml.S embeds with .incbin. Included by
# the top-level Makefile (the root kernel) and by tests/unit/unit.mk (the host
# test), whichever comes first; DEPS_TARGET must be set before.
ifndef DSDT_AML
DSDT_AML := $(BUILD)/root/dsdt.aml
# Warnings are errors, except two the ASL has on purpose (see dsdt.asl):
# 6033, _HID "VMBus" is not a 7- or 8-character ID; 3150, VMBS's empty _CRS.
IASL_FLAGS := -vs -we -vw 6033 -vw 3150

$(DSDT_AML): partitions/root/dsdt.asl partitions/root/dsdt.mk | $(DEPS_TARGET)
	@mkdir -p $(@D)
	@echo "  IASL    $@"
	@iasl $(IASL_FLAGS) -p $(basename $@) $< >$@.log 2>&1 || { cat $@.log; rm -f $@; false; }
endif

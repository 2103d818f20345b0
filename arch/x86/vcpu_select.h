#ifndef ARCH_X86_VCPU_SELECT_H
#define ARCH_X86_VCPU_SELECT_H

#include "arch/x86/virt_caps.h"
#include "core/vcpu.h"

const struct vcpu_ops *vcpu_select(const struct virt_caps *caps);

#endif

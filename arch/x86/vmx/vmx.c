/* Intel VT-x back-end: placeholder until the implementation lands. */
#include "core/vcpu.h"

const struct vcpu_ops vmx_vcpu_ops = { .name = "vmx" };

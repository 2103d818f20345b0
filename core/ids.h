/*
 * Typed numbers: a guest-physical address, a partition id, a VP index and
 * a physical CPU number are each a struct of one integer, so the compiler
 * refuses one where another (or a plain integer, or a host-physical
 * paddr_t) is expected. A distinct typedef of an integer would not: C
 * converts between those silently. Passed by value, a one-member struct
 * lives in a register like the integer it wraps, so the generated code is
 * the same (Linux's pgprot_t and pte_t, Bao's typed ids).
 *
 * Each type has to_<type>() to make one from an integer and <type>_val()
 * to take the integer out, where it is printed, used as an index or
 * handed to the guest.
 */
#ifndef CORE_IDS_H
#define CORE_IDS_H

#include <stdbool.h>
#include <stdint.h>

/* A guest-physical address: an address in a partition's second-level (EPT/NPT) space. */
typedef struct { uint64_t val; } gpa_t;

static inline gpa_t to_gpa(uint64_t a) { return (gpa_t){ a }; }
static inline uint64_t gpa_val(gpa_t g) { return g.val; }
static inline gpa_t gpa_add(gpa_t g, uint64_t off) { return (gpa_t){ g.val + off }; }

/* A partition's id: from 1, never reused while the hypervisor runs. */
typedef struct { uint32_t val; } part_id_t;

static inline part_id_t to_part_id(uint32_t id) { return (part_id_t){ id }; }
static inline uint32_t part_id_val(part_id_t id) { return id.val; }
static inline bool part_id_eq(part_id_t a, part_id_t b) { return a.val == b.val; }

/* A virtual processor's index within its partition: 0 is the boot VP. */
typedef struct { uint32_t val; } vp_index_t;

static inline vp_index_t to_vp_index(uint32_t i) { return (vp_index_t){ i }; }
static inline uint32_t vp_index_val(vp_index_t i) { return i.val; }

/* A physical CPU's dense number (struct percpu's cpu_id): 0 is the boot CPU. */
typedef struct { uint32_t val; } cpu_id_t;

static inline cpu_id_t to_cpu_id(uint32_t c) { return (cpu_id_t){ c }; }
static inline uint32_t cpu_id_val(cpu_id_t c) { return c.val; }

/* CPU masks (a partition's cpus=): bit n stands for CPU n, so CPUs 0-63. */
static inline uint64_t cpu_mask_of(cpu_id_t c) { return 1ull << c.val; }
static inline bool cpu_mask_has(uint64_t mask, cpu_id_t c) { return mask >> c.val & 1; }

#endif

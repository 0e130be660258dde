/*
 * exitloop: the floor for a port-I/O VM exit on this host. A bare KVM VM in
 * real mode runs "out 0x80, al" in a loop; this program does nothing per
 * exit but re-enter the guest. It prints the mean round trip in ns.
 *
 *   cc -O2 -o exitloop exitloop.c && ./exitloop 100000
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

static void die(const char *what) { perror(what); exit(1); }

int main(int argc, char **argv) {
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], 0, 0) : 100000;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) die("/dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) die("KVM_CREATE_VM");
	size_t size = 0x10000;
	uint8_t *mem = mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	/* mov ecx, n; 1: out 0x80, al; dec ecx; jnz 1b; hlt (16-bit code) */
	uint8_t code[] = {0x66, 0xb9, n, n >> 8, n >> 16, n >> 24, 0xe6, 0x80, 0x66, 0x49, 0x75, 0xfa, 0xf4};
	memcpy(mem + 0x1000, code, sizeof code);
	struct kvm_userspace_memory_region r = {.slot = 0, .guest_phys_addr = 0, .memory_size = size, .userspace_addr = (uint64_t)mem};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0) die("KVM_SET_USER_MEMORY_REGION");
	int cpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (cpu < 0) die("KVM_CREATE_VCPU");
	int runsz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(0, runsz, PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
	struct kvm_sregs s;
	ioctl(cpu, KVM_GET_SREGS, &s);
	s.cs.base = 0; s.cs.selector = 0;
	ioctl(cpu, KVM_SET_SREGS, &s);
	struct kvm_regs regs = {.rip = 0x1000, .rflags = 2};
	ioctl(cpu, KVM_SET_REGS, &regs);
	struct timespec t0, t1;
	uint64_t exits = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (ioctl(cpu, KVM_RUN, 0) < 0) die("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_IO) { exits++; continue; }
		if (run->exit_reason == KVM_EXIT_HLT) break;
		fprintf(stderr, "unexpected exit %d\n", run->exit_reason);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
	printf("%llu exits %.1f ns/exit\n", (unsigned long long)exits, ns / exits);
	return 0;
}

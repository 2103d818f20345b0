#!/bin/bash
# boot.sh: boot a hypervisor ISO under QEMU (AMD-V, TCG) or Bochs (VT-x).
#   --emu qemu|bochs   --iso FILE   --cpus N   --mem 512M   --uefi 0|1
#   --accel tcg|kvm    --cpu MODEL  --interactive | --serial FILE | --serial-tcp PORT
#   --timeout SECONDS  --workdir DIR   --qemu-arg ARG (repeatable)
# Interactive: the serial port is this terminal (stdin may be a pipe or
# /dev/null; Bochs: its COM1 a socket that console.py --bridge joins to the
# terminal). With --serial-tcp COM1 is a TCP server on 127.0.0.1:PORT, both
# ways, and the emulator waits for one client to connect before the machine
# starts (tests/system/console.py is that client). Otherwise COM1 goes to
# --serial FILE. Every run ends at the timeout, on power-off, or when the
# guest stops the emulator.
set -u
emu=qemu iso= cpus=2 mem=512M uefi=0 accel=tcg cpu= interactive=0 serial= tmo=0 tcp=
workdir=build/run qemu_extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--emu) emu=$2; shift ;;
	--iso) iso=$2; shift ;;
	--cpus) cpus=$2; shift ;;
	--mem) mem=$2; shift ;;
	--uefi) uefi=$2; shift ;;
	--accel) accel=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--interactive) interactive=1 ;;
	--serial) serial=$2; shift ;;
	--serial-tcp) tcp=$2; shift ;;
	--timeout) tmo=$2; shift ;;
	--workdir) workdir=$2; shift ;;
	--qemu-arg) qemu_extra+=("$2"); shift ;;
	*) echo "boot.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
[ -f "$iso" ] || { echo "boot.sh: no ISO '$iso'" >&2; exit 2; }
mkdir -p "$workdir"
mem_mib=${mem%[Mm]}
case $mem in *[Gg]) mem_mib=$(( ${mem%[Gg]} * 1024 )) ;; esac

with_timeout() {
	if [ "$tmo" -gt 0 ]; then timeout -k 5 "$tmo" "$@"; else "$@"; fi
}

run_qemu() {
	local args=(-m "${mem_mib}M" -smp "$cpus" -cdrom "$iso" -display none -monitor none
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04)
	if [ "$accel" = kvm ]; then
		args+=(-accel kvm -cpu "${cpu:-host}")
	else
		args+=(-accel tcg -cpu "${cpu:-EPYC}")
	fi
	if [ "$uefi" = 1 ]; then
		cp /usr/share/OVMF/OVMF_VARS_4M.fd "$workdir/OVMF_VARS.fd"	# fresh every run
		args+=(-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
			-drive if=pflash,format=raw,file="$workdir/OVMF_VARS.fd")
	fi
	if [ -n "$tcp" ]; then
		# server=on,wait=on: QEMU listens and starts the machine only once a client is connected
		args+=(-chardev "socket,id=con,host=127.0.0.1,port=$tcp,server=on,wait=on"
			-serial chardev:con)
	elif [ "$interactive" = 1 ]; then
		args+=(-serial stdio)
	else
		args+=(-serial "file:$serial")
	fi
	# TCG warns about EPYC features it lacks, and --serial-tcp says it waits: those lines are noise
	with_timeout qemu-system-x86_64 "${args[@]}" "${qemu_extra[@]}" \
		2> >(grep -v -e "TCG doesn't support requested feature" -e "QEMU waiting for connection" >&2)
}

write_bochsrc() {
	local bios=/usr/share/bochs/BIOS-bochs-latest
	[ "$uefi" = 1 ] && bios=/usr/share/ovmf/OVMF.fd
	cat > "$workdir/bochsrc" <<EOR
megs: $mem_mib
romimage: file=$bios
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=${cpu:-corei7_skylake_x}, count=$cpus, ips=50000000
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
display_library: rfb, options="timeout=0"
$1
port_e9_hack: enabled=1
log: $workdir/bochs.log
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
clock: sync=none, time0=946681200
sound: driver=dummy
speaker: enabled=0
EOR
	printf 'c\nquit\n' > "$workdir/cont.rc"
}

run_bochs() {
	local out=${serial:-$workdir/com1.txt} rc
	if [ -n "$tcp" ]; then
		# Bochs 2.7's socket-server (iodev/serial.cc): bind and listen on the address, then block in
		# accept() while the devices are initialised, before the first instruction ("com1: waiting
		# for client to connect" on stderr); the guest's bytes go out with send(); the receive timer
		# takes one byte with select() and recv() only when the UART's receive buffer is empty
		# (nothing is lost: TCP holds the rest), polling every 100 ms of emulated time while the
		# guest leaves the FIFO off, every byte time with it on.
		write_bochsrc "com1: enabled=1, mode=socket-server, dev=127.0.0.1:$tcp"
		with_timeout bochs-bin -q -f "$workdir/bochsrc" -rc "$workdir/cont.rc" \
			</dev/null >"$workdir/bochs.out" 2>&1
		rc=$?
		[ "$rc" = 1 ] && rc=0	# Bochs ends with 1 on an ACPI power-off: a normal end
		return $rc
	fi
	if [ "$interactive" = 1 ]; then
		# COM1 on a socket, and this terminal (or the pipe) bridged to it: the root console
		# takes keys under Bochs as under QEMU's -serial stdio
		local port bochspid
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		write_bochsrc "com1: enabled=1, mode=socket-server, dev=127.0.0.1:$port"
		with_timeout bochs-bin -q -f "$workdir/bochsrc" -rc "$workdir/cont.rc" \
			</dev/null >"$workdir/bochs.out" 2>&1 &
		bochspid=$!
		"$(dirname "$0")/console.py" --bridge "$port"
		wait "$bochspid"
		rc=$?
		[ "$rc" = 1 ] && rc=0	# Bochs ends with 1 on an ACPI power-off: a normal end
		return $rc
	fi
	: > "$out"
	write_bochsrc "com1: enabled=1, mode=file, dev=$out"
	with_timeout bochs-bin -q -f "$workdir/bochsrc" -rc "$workdir/cont.rc" \
		</dev/null >"$workdir/bochs.out" 2>&1
}

case $emu in
qemu) run_qemu ;;
bochs) run_bochs ;;
*) echo "boot.sh: EMU must be qemu or bochs" >&2; exit 2 ;;
esac

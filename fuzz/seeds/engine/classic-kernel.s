# classic-kernel - a kernel classic (MOF) provider, for fuzz/engine_fuzz.c.
#
# Exercises: eng_import_keep's wide pointee of IoWMIWriteEvent (arg 0),
# values.c's stores of a parameter's value (the enable callback keeps
# TRACE_ENABLE_CONTEXT.LoggerId: movzx eax, word [r8]; mov [rip+g], rax)
# and vs_wide (header +8 loaded from that global), sites.c's
# logger_registrations (kernel: EtwRegisterClassicProvider with `lea` of
# the callback), resolve_handle through the header's logger, and
# resolve_header on a frame header (field by field; copied with movups
# from rip-relative data), on a plain WMI event (no WNODE_FLAG_TRACED_GUID:
# no site), through a wrapper passing its parameter and through a thunk.
#
# Globals (GLOBALS in layout.ld): +0x00 logger id kept by the callback,
# +0x08 enable level, +0x20 the registration handle.
# Built by build.sh (llvm-mc, ld.lld -T layout.ld, llvm-objcopy).
    .intel_syntax noprefix
    .text

# EVENT_TRACE_HEADER at rsp+0x30, field by field, the logger at +8 from
# the global the enable callback fills
.macro header tlv, guid, flags
    mov dword ptr [rsp + 0x30], 0x30            # Size
    mov dword ptr [rsp + 0x34], \tlv            # Type, Level, Version
    mov rax, qword ptr [rip + GLOBALS]          # the callback's logger
    mov qword ptr [rsp + 0x38], rax             # HistoricalContext
    xor eax, eax
    mov qword ptr [rsp + 0x40], rax             # TimeStamp
    movups xmm0, xmmword ptr [rip + \guid]
    movups xmmword ptr [rsp + 0x48], xmm0       # Guid
    mov dword ptr [rsp + 0x58], eax             # ClientContext
    mov dword ptr [rsp + 0x5C], \flags          # Flags
.endm

    .globl _start
_start:                                 # DriverEntry, rva 0x1000
    sub rsp, 0x88
    # EtwRegisterClassicProvider(&ProviderGuid, 0, EnableCallback, NULL,
    #                            &RegHandle)
    lea rax, [rip + GLOBALS + 0x20]
    mov qword ptr [rsp + 0x20], rax
    xor r9d, r9d
    lea r8, [rip + enable_cb]
    xor edx, edx
    lea rcx, [rip + provider_guid]
    call qword ptr [rip + IAT_EtwRegisterClassicProvider]

    # WNODE_FLAG_TRACED_GUID: a classic event, its logger from the global
    header 0x00010A0B, class_guid, 0x00020000   # Type 11, Level 10, Ver 1
    lea rcx, [rsp + 0x30]
    call qword ptr [rip + IAT_IoWMIWriteEvent]

    # the header copied from rip-relative data, the logger patched in
    movups xmm0, xmmword ptr [rip + hdr_template]
    movups xmmword ptr [rsp + 0x30], xmm0
    movups xmm1, xmmword ptr [rip + hdr_template + 16]
    movups xmmword ptr [rsp + 0x40], xmm1
    movups xmm2, xmmword ptr [rip + hdr_template + 32]
    movups xmmword ptr [rsp + 0x50], xmm2
    mov rax, qword ptr [rip + GLOBALS]
    mov qword ptr [rsp + 0x38], rax
    lea rcx, [rsp + 0x30]
    call qword ptr [rip + IAT_IoWMIWriteEvent]

    # zeroed first (RtlZeroMemory: xorps, three movups), then the fields
    xorps xmm0, xmm0
    movups xmmword ptr [rsp + 0x30], xmm0
    movups xmmword ptr [rsp + 0x40], xmm0
    movups xmmword ptr [rsp + 0x50], xmm0
    header 0x00010A10, class_guid, 0x00020000
    lea rcx, [rsp + 0x30]
    call qword ptr [rip + IAT_IoWMIWriteEvent]

    # a plain WMI event (no WNODE_FLAG_TRACED_GUID): no ETW site
    header 0x00010A0D, class_guid, 0x00000100
    lea rcx, [rsp + 0x30]
    call qword ptr [rip + IAT_IoWMIWriteEvent]

    # through a wrapper that passes its parameter
    header 0x00010A0E, class_guid, 0x00020000
    lea rcx, [rsp + 0x30]
    call write_header

    # through an import thunk (jmp [rip+IAT])
    header 0x00010A0F, class_guid, 0x00020000
    lea rcx, [rsp + 0x30]
    call thunk_IoWMIWriteEvent

    # only direct call targets become functions: call the callback too
    lea r8, [rsp + 0x30]
    xor r9d, r9d
    xor edx, edx
    xor ecx, ecx
    call enable_cb

    mov rcx, qword ptr [rip + GLOBALS + 0x20]
    call qword ptr [rip + IAT_EtwUnregister]
    add rsp, 0x88
    ret

# VOID EnableCallback(LPCGUID Guid, ULONG ControlCode,
#                     PTRACE_ENABLE_CONTEXT EnableInfo, PVOID Context)
enable_cb:
    sub rsp, 0x28
    movzx eax, word ptr [r8]                    # LoggerId
    mov qword ptr [rip + GLOBALS], rax
    movzx ecx, byte ptr [r8 + 2]                # Level
    mov byte ptr [rip + GLOBALS + 8], cl
    # a call: value tracking skips functions without one, and would not
    # see the stores above
    mov ecx, 0x40
    call qword ptr [rip + IAT_ExAllocatePoolWithTag]
    add rsp, 0x28
    ret

write_header:                                   # (EVENT_TRACE_HEADER *)
    sub rsp, 0x28
    call qword ptr [rip + IAT_IoWMIWriteEvent]
    add rsp, 0x28
    ret

thunk_IoWMIWriteEvent:
    jmp qword ptr [rip + IAT_IoWMIWriteEvent]

    .p2align 4
provider_guid:
    .long 0x11111111
    .short 0x2222, 0x3333
    .byte 0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55
class_guid:
    .long 0xC1A55001
    .short 0xAAAA, 0xBBBB
    .byte 0xCC, 0xCC, 0xDD, 0xDD, 0xDD, 0xDD, 0xDD, 0x01
hdr_template:                                   # 48 bytes
    .short 0x30, 0                              # Size, FieldTypeFlags
    .byte 0x0C, 4                               # Type, Level
    .short 2                                    # Version
    .quad 0                                     # HistoricalContext
    .quad 0                                     # TimeStamp
    .long 0xC1A55002                            # Guid
    .short 0xAAAA, 0xBBBB
    .byte 0xCC, 0xCC, 0xDD, 0xDD, 0xDD, 0xDD, 0xDD, 0x02
    .long 0                                     # ClientContext
    .long 0x00020000                            # Flags: TRACED_GUID

# classic-user - a user-mode classic (MOF) provider, for fuzz/engine_fuzz.c.
#
# Exercises: eng_import_keep's wide pointee of TraceEvent (arg 1) and
# GetTraceLoggerHandle's return value kept as VAL_RESULT; values.c's
# record_call wide pointees and stores of a call's return value (the
# control callback keeps GetTraceLoggerHandle's rax in a global); sites.c's
# logger_registrations (RegisterTraceGuidsW with `lea` of the callback:
# the call itself, rax kept in a register, the global), resolve_handle of
# TraceEvent's logger (global, register), the GetTraceLoggerHandle site
# ("control-callback"), resolve_header on a frame header (field by field,
# GUID inline; copied with movups from rip-relative data with a GuidPtr
# and WNODE_FLAG_USE_GUID_PTR), on an image header (VAL_ADDR), through a
# wrapper (a parameter), and TraceEventInstance.
#
# Globals (GLOBALS in layout.ld): +0x00 the logger handle the callback
# keeps, +0x08 its enable level, +0x10 the registration handle.
# Built by build.sh (llvm-mc, ld.lld -T layout.ld, llvm-objcopy).
    .intel_syntax noprefix
    .text
    .globl _start
_start:                                 # rva 0x1000
    push rbx
    sub rsp, 0x70
    # RegisterTraceGuidsW(ControlCallback, NULL, &ControlGuid, 1,
    #                     &TraceGuidReg, NULL, NULL, &RegistrationHandle)
    lea rax, [rip + GLOBALS + 0x10]
    mov qword ptr [rsp + 0x38], rax
    xor eax, eax
    mov qword ptr [rsp + 0x30], rax
    mov qword ptr [rsp + 0x28], rax
    lea rax, [rip + trace_guid_reg]
    mov qword ptr [rsp + 0x20], rax
    mov r9d, 1
    lea r8, [rip + control_guid]
    xor edx, edx
    lea rcx, [rip + control_cb]
    call qword ptr [rip + IAT_RegisterTraceGuidsW]

    # EVENT_TRACE_HEADER at rsp+0x40, field by field, GUID inline
    xor eax, eax
    mov dword ptr [rsp + 0x40], 0x30            # Size
    mov dword ptr [rsp + 0x44], 0x00020401      # Type 1, Level 4, Version 2
    mov qword ptr [rsp + 0x48], rax             # ThreadId, ProcessId
    mov qword ptr [rsp + 0x50], rax             # TimeStamp
    movups xmm0, xmmword ptr [rip + class_guid]
    movups xmmword ptr [rsp + 0x58], xmm0       # Guid
    mov dword ptr [rsp + 0x68], eax             # ClientContext
    mov dword ptr [rsp + 0x6C], 0x00020000      # Flags: TRACED_GUID
    mov rcx, qword ptr [rip + GLOBALS]          # the callback's logger
    lea rdx, [rsp + 0x40]
    call qword ptr [rip + IAT_TraceEvent]

    # copied from rip-relative data, then GuidPtr and USE_GUID_PTR
    movups xmm0, xmmword ptr [rip + hdr_template]
    movups xmmword ptr [rsp + 0x40], xmm0
    movups xmm1, xmmword ptr [rip + hdr_template + 16]
    movups xmmword ptr [rsp + 0x50], xmm1
    movups xmm2, xmmword ptr [rip + hdr_template + 32]
    movups xmmword ptr [rsp + 0x60], xmm2
    lea rax, [rip + class_guid2]
    mov qword ptr [rsp + 0x58], rax             # GuidPtr
    mov dword ptr [rsp + 0x6C], 0x000A0000      # TRACED_GUID | USE_GUID_PTR
    mov rcx, qword ptr [rip + GLOBALS]
    lea rdx, [rsp + 0x40]
    call qword ptr [rip + IAT_TraceEvent]

    # a header in the image
    mov rcx, qword ptr [rip + GLOBALS]
    lea rdx, [rip + static_header]
    call qword ptr [rip + IAT_TraceEvent]

    # EVENT_INSTANCE_HEADER: a RegHandle at 24, no GUID
    xor eax, eax
    mov dword ptr [rsp + 0x40], 0x30
    mov dword ptr [rsp + 0x44], 0x00010203
    mov qword ptr [rsp + 0x48], rax
    mov qword ptr [rsp + 0x50], rax
    mov rax, qword ptr [rip + trace_guid_reg + 8]
    mov qword ptr [rsp + 0x58], rax
    xor eax, eax
    mov qword ptr [rsp + 0x60], rax
    mov dword ptr [rsp + 0x68], eax
    mov dword ptr [rsp + 0x6C], 0x00020000
    xor r9d, r9d
    xor r8d, r8d
    mov rcx, qword ptr [rip + GLOBALS]
    lea rdx, [rsp + 0x40]
    call qword ptr [rip + IAT_TraceEventInstance]

    # through a wrapper that passes its header parameter
    lea rcx, [rsp + 0x40]
    call trace_header

    # only direct call targets become functions: call the callback too
    xor r9d, r9d
    xor r8d, r8d
    xor edx, edx
    mov ecx, 4                                  # WMI_ENABLE_EVENTS
    call control_cb

    mov rcx, qword ptr [rip + GLOBALS + 0x10]
    call qword ptr [rip + IAT_UnregisterTraceGuids]
    add rsp, 0x70
    pop rbx
    ret

# ULONG ControlCallback(WMIDPREQUESTCODE RequestCode, PVOID Context,
#                       ULONG *Reserved, PVOID Buffer)
control_cb:
    push rbx
    sub rsp, 0x20
    mov rcx, r9                                 # the WNODE_HEADER
    call qword ptr [rip + IAT_GetTraceLoggerHandle]
    mov qword ptr [rip + GLOBALS], rax          # kept for later writes
    mov rbx, rax
    mov rcx, rax
    call qword ptr [rip + IAT_GetTraceEnableLevel]
    mov byte ptr [rip + GLOBALS + 8], al
    mov rcx, rbx
    call qword ptr [rip + IAT_GetTraceEnableFlags]
    # a write with the handle still in a register
    mov rcx, rbx
    lea rdx, [rip + static_header]
    call qword ptr [rip + IAT_TraceEvent]
    xor eax, eax
    add rsp, 0x20
    pop rbx
    ret

trace_header:                                   # (EVENT_TRACE_HEADER *)
    sub rsp, 0x28
    mov rdx, rcx
    mov rcx, qword ptr [rip + GLOBALS]
    call qword ptr [rip + IAT_TraceEvent]
    add rsp, 0x28
    ret

    .p2align 4
control_guid:
    .long 0x0C0C0C01
    .short 0x1111, 0x2222
    .byte 0x33, 0x33, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44
class_guid:
    .long 0xC1A55011
    .short 0xAAAA, 0xBBBB
    .byte 0xCC, 0xCC, 0xDD, 0xDD, 0xDD, 0xDD, 0xDD, 0x11
class_guid2:
    .long 0xC1A55012
    .short 0xAAAA, 0xBBBB
    .byte 0xCC, 0xCC, 0xDD, 0xDD, 0xDD, 0xDD, 0xDD, 0x12
trace_guid_reg:                                 # TRACE_GUID_REGISTRATION
    .quad class_guid + 0x140000000              # Guid (a VA)
    .quad 0                                     # RegHandle
hdr_template:                                   # 48 bytes
    .short 0x30, 0                              # Size, FieldTypeFlags
    .byte 0x05, 3                               # Type, Level
    .short 1                                    # Version
    .quad 0                                     # ThreadId, ProcessId
    .quad 0                                     # TimeStamp
    .quad 0, 0                                  # Guid / GuidPtr
    .long 0                                     # ClientContext
    .long 0x00020000                            # Flags
static_header:                                  # 48 bytes
    .short 0x30, 0
    .byte 0x07, 2
    .short 3
    .quad 0
    .quad 0
    .long 0xC1A55013
    .short 0xAAAA, 0xBBBB
    .byte 0xCC, 0xCC, 0xDD, 0xDD, 0xDD, 0xDD, 0xDD, 0x13
    .long 0
    .long 0x00020000

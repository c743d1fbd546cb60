# manifest-user - user-mode manifest provider (ADVAPI32 Event* imports),
# for fuzz/engine_fuzz.c.
#
# Exercises: EventRegister into the frame (a VAL_RESULT), the handle
# stored to a global (a vs_store of a call's pointer argument), EventWrite
# / EventWriteTransfer with the handle from the frame and from the global,
# a descriptor built field by field in the frame, EventEnabled,
# EventWriteString, RegisterTraceGuidsA without a callback, a wrapper that
# tail-calls EventWrite (jmp [rip+IAT]) with the handle and descriptor as
# parameters, EventUnregister; TraceMessage (WPP, user mode).
#
# Globals (GLOBALS in layout.ld): +0x60 the handle, +0x68 a WPP logger.
# Built by build.sh (llvm-mc, ld.lld -T layout.ld, llvm-objcopy).
    .intel_syntax noprefix
    .text
    .globl _start
_start:                                 # rva 0x1000
    sub rsp, 0x68
    # EventRegister(&ProviderGuid, NULL, NULL, &h)
    lea r9, [rsp + 0x50]
    xor r8d, r8d
    xor edx, edx
    lea rcx, [rip + provider_guid]
    call qword ptr [rip + IAT_EventRegister]
    mov rax, qword ptr [rsp + 0x50]
    mov qword ptr [rip + GLOBALS + 0x60], rax

    # EventWrite(h, &desc in the frame, 0, NULL)
    mov word ptr [rsp + 0x30], 9                # Id
    mov byte ptr [rsp + 0x32], 1                # Version
    mov byte ptr [rsp + 0x33], 0x10             # Channel
    mov byte ptr [rsp + 0x34], 4                # Level
    mov byte ptr [rsp + 0x35], 0                # Opcode
    mov word ptr [rsp + 0x36], 3                # Task
    movabs rax, 0x4000000000000001
    mov qword ptr [rsp + 0x38], rax             # Keyword
    xor r9d, r9d
    xor r8d, r8d
    lea rdx, [rsp + 0x30]
    mov rcx, qword ptr [rsp + 0x50]
    call qword ptr [rip + IAT_EventWrite]

    # EventWriteTransfer(global h, &Desc1, NULL, NULL, 0, NULL)
    xor eax, eax
    mov qword ptr [rsp + 0x28], rax
    mov dword ptr [rsp + 0x20], eax
    xor r9d, r9d
    xor r8d, r8d
    lea rdx, [rip + desc1]
    mov rcx, qword ptr [rip + GLOBALS + 0x60]
    call qword ptr [rip + IAT_EventWriteTransfer]

    # EventEnabled(h, &Desc1); EventWriteString(h, 2, 0x20, L"fuzz")
    lea rdx, [rip + desc1]
    mov rcx, qword ptr [rip + GLOBALS + 0x60]
    call qword ptr [rip + IAT_EventEnabled]
    lea r9, [rip + wstr]
    mov r8d, 0x20
    mov edx, 2
    mov rcx, qword ptr [rip + GLOBALS + 0x60]
    call qword ptr [rip + IAT_EventWriteString]

    # through a wrapper that tail-calls EventWrite with its parameters
    lea rdx, [rip + desc1]
    mov rcx, qword ptr [rip + GLOBALS + 0x60]
    call write_event

    # RegisterTraceGuidsA without a callback; TraceMessage (WPP)
    xor eax, eax
    mov qword ptr [rsp + 0x38], rax
    mov qword ptr [rsp + 0x30], rax
    mov qword ptr [rsp + 0x28], rax
    mov qword ptr [rsp + 0x20], rax
    xor r9d, r9d
    lea r8, [rip + provider_guid]
    xor edx, edx
    xor ecx, ecx
    call qword ptr [rip + IAT_RegisterTraceGuidsA]
    xor eax, eax
    mov qword ptr [rsp + 0x20], rax
    mov r9d, 10
    lea r8, [rip + message_guid]
    mov edx, 0x23
    mov rcx, qword ptr [rip + GLOBALS + 0x68]
    call qword ptr [rip + IAT_TraceMessage]

    mov rcx, qword ptr [rip + GLOBALS + 0x60]
    call qword ptr [rip + IAT_EventUnregister]
    add rsp, 0x68
    ret

write_event:                            # (REGHANDLE, EVENT_DESCRIPTOR *)
    xor r8d, r8d
    xor r9d, r9d
    jmp qword ptr [rip + IAT_EventWrite]

    .p2align 4
provider_guid:
    .long 0x5E5E5E01
    .short 0x1111, 0x2222
    .byte 0x33, 0x33, 0x44, 0x44, 0x44, 0x44, 0x44, 0x01
message_guid:
    .long 0x5E5E5E02
    .short 0x1111, 0x2222
    .byte 0x33, 0x33, 0x44, 0x44, 0x44, 0x44, 0x44, 0x02
desc1:                                          # EVENT_DESCRIPTOR
    .short 4
    .byte 0, 0x10, 3, 0
    .short 2
    .quad 0x2000000000000000
wstr:
    .short 'f', 'u', 'z', 'z', 0

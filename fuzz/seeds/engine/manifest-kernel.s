# manifest-kernel - kernel manifest provider and the other kernel ETW
# imports, for fuzz/engine_fuzz.c.
#
# Exercises: sites.c's collect_registrations (EtwRegister into a global,
# and into the frame: a VAL_RESULT used in place, then stored to a global),
# resolve_handle (global, frame result), resolve_write (descriptor in the
# image and built in the frame), EtwWriteEx, EtwWriteString (level,
# keyword, UTF-16 string in the image), EtwWriteNoRegistration,
# EtwTraceKernelEvent (group mask, hook id), WmiTraceMessage (message
# GUID, number), EtwEventEnabled, EtwSetInformation, EtwActivityIdControl,
# EtwUnregister; a non-ETW import (ExAllocatePoolWithTag).
#
# Globals (GLOBALS in layout.ld): +0x40 handle registered to a global,
# +0x48 handle registered in the frame then stored, +0x50 WPP logger.
# Built by build.sh (llvm-mc, ld.lld -T layout.ld, llvm-objcopy).
    .intel_syntax noprefix
    .text
    .globl _start
_start:                                 # DriverEntry, rva 0x1000
    push rbx
    sub rsp, 0x80
    # EtwRegister(&ProviderGuid, NULL, NULL, &RegHandle)
    lea r9, [rip + GLOBALS + 0x40]
    xor r8d, r8d
    xor edx, edx
    lea rcx, [rip + provider_guid]
    call qword ptr [rip + IAT_EtwRegister]

    # EtwWrite(RegHandle, &Desc1, NULL, 0, NULL)
    xor r9d, r9d
    mov qword ptr [rsp + 0x20], r9
    xor r8d, r8d
    lea rdx, [rip + desc1]
    mov rcx, qword ptr [rip + GLOBALS + 0x40]
    call qword ptr [rip + IAT_EtwWrite]

    # EtwWriteTransfer(RegHandle, &frame descriptor, NULL, NULL, 0, NULL)
    # EVENT_DESCRIPTOR: Id 2, Version 0, Channel 16, Level 4, Opcode 0, Task 7
    movabs rax, 0x0007000410000002
    mov qword ptr [rsp + 0x40], rax
    movabs rax, 0x8000000000000020              # Keyword
    mov qword ptr [rsp + 0x48], rax
    xor eax, eax
    mov qword ptr [rsp + 0x28], rax
    mov dword ptr [rsp + 0x20], eax
    xor r9d, r9d
    xor r8d, r8d
    lea rdx, [rsp + 0x40]
    mov rcx, qword ptr [rip + GLOBALS + 0x40]
    call qword ptr [rip + IAT_EtwWriteTransfer]

    # EtwWriteEx(RegHandle, &Desc2, 0, 0, NULL, NULL, 0, NULL)
    lea rdx, [rip + desc2]
    xor r9d, r9d
    xor r8d, r8d
    mov rcx, qword ptr [rip + GLOBALS + 0x40]
    call qword ptr [rip + IAT_EtwWriteEx]

    # a second registration into the frame: used there, then kept
    lea r9, [rsp + 0x60]
    xor r8d, r8d
    xor edx, edx
    lea rcx, [rip + provider_guid2]
    call qword ptr [rip + IAT_EtwRegister]
    mov rcx, qword ptr [rsp + 0x60]
    lea rdx, [rip + desc2]
    xor r8d, r8d
    xor r9d, r9d
    call qword ptr [rip + IAT_EtwWrite]
    mov rax, qword ptr [rsp + 0x60]
    mov qword ptr [rip + GLOBALS + 0x48], rax

    # EtwWriteString(RegHandle2, Level 4, Keyword 0x10, NULL, L"fuzz")
    lea rax, [rip + wstr]
    mov qword ptr [rsp + 0x20], rax
    xor r9d, r9d
    mov r8d, 0x10
    mov edx, 4
    mov rcx, qword ptr [rip + GLOBALS + 0x48]
    call qword ptr [rip + IAT_EtwWriteString]

    # EtwWriteNoRegistration(&ProviderGuid, &Desc1, 0, NULL)
    xor r9d, r9d
    xor r8d, r8d
    lea rdx, [rip + desc1]
    lea rcx, [rip + provider_guid]
    call qword ptr [rip + IAT_EtwWriteNoRegistration]

    # EtwTraceKernelEvent(&data, 1, GroupMask, HookId, Flags)
    mov dword ptr [rsp + 0x20], 0x00400000
    mov r9d, 0x0A3D                             # hook id
    mov r8d, 0x20000400                         # group mask
    mov edx, 1
    lea rcx, [rsp + 0x40]
    call qword ptr [rip + IAT_EtwTraceKernelEvent]

    # WmiTraceMessage(Logger, Flags, &MessageGuid, 12, NULL)
    xor eax, eax
    mov qword ptr [rsp + 0x20], rax
    mov r9d, 12
    lea r8, [rip + message_guid]
    mov edx, 0x2B
    mov rcx, qword ptr [rip + GLOBALS + 0x50]
    call qword ptr [rip + IAT_WmiTraceMessage]

    # EtwEventEnabled(RegHandle, &Desc1), EtwSetInformation(RegHandle, 2,
    # &traits, 8), EtwActivityIdControl(1, &id)
    lea rdx, [rip + desc1]
    mov rcx, qword ptr [rip + GLOBALS + 0x40]
    call qword ptr [rip + IAT_EtwEventEnabled]
    mov r9d, 8
    lea r8, [rip + desc2]
    mov edx, 2
    mov rcx, qword ptr [rip + GLOBALS + 0x40]
    call qword ptr [rip + IAT_EtwSetInformation]
    lea rdx, [rsp + 0x40]
    mov ecx, 1
    call qword ptr [rip + IAT_EtwActivityIdControl]

    # not ETW
    mov r8d, 0x7A7A7546
    mov edx, 0x40
    mov ecx, 0x200
    call qword ptr [rip + IAT_ExAllocatePoolWithTag]

    mov rcx, qword ptr [rip + GLOBALS + 0x48]
    call qword ptr [rip + IAT_EtwUnregister]
    mov rcx, qword ptr [rip + GLOBALS + 0x40]
    call qword ptr [rip + IAT_EtwUnregister]
    add rsp, 0x80
    pop rbx
    ret

    .p2align 4
provider_guid:
    .long 0x3A3A3A01
    .short 0x1111, 0x2222
    .byte 0x33, 0x33, 0x44, 0x44, 0x44, 0x44, 0x44, 0x01
provider_guid2:
    .long 0x3A3A3A02
    .short 0x1111, 0x2222
    .byte 0x33, 0x33, 0x44, 0x44, 0x44, 0x44, 0x44, 0x02
message_guid:
    .long 0x3A3A3A03
    .short 0x1111, 0x2222
    .byte 0x33, 0x33, 0x44, 0x44, 0x44, 0x44, 0x44, 0x03
desc1:                                          # EVENT_DESCRIPTOR
    .short 1                                    # Id
    .byte 0, 16, 4, 1                           # Ver, Channel, Level, Opcode
    .short 5                                    # Task
    .quad 0x8000000000000010                    # Keyword
desc2:
    .short 3
    .byte 1, 0, 2, 0
    .short 6
    .quad 0x0000000000000040
wstr:
    .short 'f', 'u', 'z', 'z', 0

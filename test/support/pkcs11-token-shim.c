/*
 * A PKCS#11 module in front of another one (SoftHSM2 in the tests) that adds what SoftHSM
 * does not do and real USB tokens do: it locks the user PIN after a number of wrong tries,
 * kept in a state file like the token's own counter (SoftHSM2 never locks), and it can be
 * "pulled out" (while a file exists, slots report no token and the token calls answer
 * CKR_DEVICE_REMOVED / CKR_TOKEN_NOT_PRESENT, as token drivers do). Everything else is the
 * wrapped module's. Built by test/support/softhsm.ts with the machine's C compiler.
 *
 *   KYSO_P11_SHIM_TARGET      the real module (required)
 *   KYSO_P11_SHIM_STATE       file holding the wrong-PIN count (required for locking)
 *   KYSO_P11_SHIM_PIN_TRIES   wrong PINs before the lock (default 3)
 *   KYSO_P11_SHIM_REMOVED     while this file exists the token is absent
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pkcs11.h"

static CK_FUNCTION_LIST shim;
static CK_FUNCTION_LIST_PTR real;

static int wrong_count(void) {
  const char *path = getenv("KYSO_P11_SHIM_STATE");
  int n = 0;
  FILE *f = path ? fopen(path, "r") : NULL;
  if (f) {
    if (fscanf(f, "%d", &n) != 1) n = 0;
    fclose(f);
  }
  return n;
}

static void set_wrong_count(int n) {
  const char *path = getenv("KYSO_P11_SHIM_STATE");
  FILE *f = path ? fopen(path, "w") : NULL;
  if (f) {
    fprintf(f, "%d\n", n);
    fclose(f);
  }
}

static int max_tries(void) {
  const char *v = getenv("KYSO_P11_SHIM_PIN_TRIES");
  return v ? atoi(v) : 3;
}

static int removed(void) {
  const char *path = getenv("KYSO_P11_SHIM_REMOVED");
  return path && access(path, F_OK) == 0;
}

static CK_RV shim_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
  if (tokenPresent && removed()) {
    *count = 0;
    return CKR_OK;
  }
  return real->C_GetSlotList(tokenPresent, list, count);
}

static CK_RV shim_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  if (removed()) return CKR_TOKEN_NOT_PRESENT;
  CK_RV rv = real->C_GetTokenInfo(slot, info);
  if (rv != CKR_OK) return rv;
  int wrong = wrong_count();
  info->flags &= ~(CK_FLAGS)(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
  if (wrong >= max_tries()) info->flags |= CKF_USER_PIN_LOCKED;
  else if (wrong == max_tries() - 1) info->flags |= CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
  else if (wrong > 0) info->flags |= CKF_USER_PIN_COUNT_LOW;
  return CKR_OK;
}

static CK_RV shim_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify, CK_SESSION_HANDLE_PTR session) {
  if (removed()) return CKR_TOKEN_NOT_PRESENT;
  return real->C_OpenSession(slot, flags, app, notify, session);
}

static CK_RV shim_Login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
  if (removed()) return CKR_DEVICE_REMOVED;
  if (user != CKU_USER) return real->C_Login(session, user, pin, len);
  int wrong = wrong_count();
  if (wrong >= max_tries()) return CKR_PIN_LOCKED;
  CK_RV rv = real->C_Login(session, user, pin, len);
  if (rv == CKR_PIN_INCORRECT) set_wrong_count(wrong + 1);
  else if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) set_wrong_count(0);
  return rv;
}

static CK_RV shim_SignInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key) {
  if (removed()) return CKR_DEVICE_REMOVED;
  return real->C_SignInit(session, mechanism, key);
}

static CK_RV shim_Sign(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG_PTR sigLen) {
  if (removed()) return CKR_DEVICE_REMOVED;
  return real->C_Sign(session, data, len, sig, sigLen);
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  if (!real) {
    const char *target = getenv("KYSO_P11_SHIM_TARGET");
    void *handle = target ? dlopen(target, RTLD_NOW | RTLD_LOCAL) : NULL;
    if (!handle) return CKR_GENERAL_ERROR;
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(handle, "C_GetFunctionList");
    if (!get || get(&real) != CKR_OK) return CKR_GENERAL_ERROR;
    shim = *real;
    shim.C_GetSlotList = shim_GetSlotList;
    shim.C_GetTokenInfo = shim_GetTokenInfo;
    shim.C_OpenSession = shim_OpenSession;
    shim.C_Login = shim_Login;
    shim.C_SignInit = shim_SignInit;
    shim.C_Sign = shim_Sign;
  }
  *list = &shim;
  return CKR_OK;
}

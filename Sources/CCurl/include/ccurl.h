#ifndef LOADD_CCURL_H
#define LOADD_CCURL_H
// Why this shim exists: curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are C variadic
// functions, which Swift cannot call. Each wrapper fixes one argument type so Swift sees a plain
// prototype. Nothing else belongs here.
#include <curl/curl.h>

CURLcode ccurl_easy_setopt_long(CURL *easy, CURLoption option, long value);
CURLcode ccurl_easy_setopt_ptr(CURL *easy, CURLoption option, const void *value);
CURLcode ccurl_easy_setopt_str(CURL *easy, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_write_cb(CURL *easy, curl_write_callback callback);
CURLcode ccurl_easy_setopt_slist(CURL *easy, CURLoption option, struct curl_slist *list);

CURLcode ccurl_easy_getinfo_long(CURL *easy, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_ptr(CURL *easy, CURLINFO info, void **value);
CURLcode ccurl_easy_getinfo_off(CURL *easy, CURLINFO info, curl_off_t *value);

CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

// CURLAUTH_* are macros with casts, which Swift does not import: the value CURLOPT_HTTPAUTH takes.
static const long ccurl_auth_basic = (long)CURLAUTH_BASIC;

#endif

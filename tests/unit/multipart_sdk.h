/* multipart_sdk.h — a multipart/form-data body captured from the openai node
 * SDK 6 (undici FormData) for audio.transcriptions.create with a WAV stub
 * file, shared by test_multipart.c and test_gateway_form.c. */
#ifndef TESTS_MULTIPART_SDK_H
#define TESTS_MULTIPART_SDK_H
static const char sdk_audio_transcriptions_body[] =
	"------formdata-undici-015533542570\r\n"
	"Content-Disposition: form-data; name=\"model\"\r\n"
	"\r\n"
	"whisper-1\r\n"
	"------formdata-undici-015533542570\r\n"
	"Content-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
	"Content-Type: application/octet-stream\r\n"
	"\r\n"
	"RIFF$\x00""\x00""\x00""WAVEfmt \r\n"
	"------formdata-undici-015533542570\r\n"
	"Content-Disposition: form-data; name=\"language\"\r\n"
	"\r\n"
	"en\r\n"
	"------formdata-undici-015533542570\r\n"
	"Content-Disposition: form-data; name=\"prompt\"\r\n"
	"\r\n"
	"hi\r\n"
	"------formdata-undici-015533542570\r\n"
	"Content-Disposition: form-data; name=\"response_format\"\r\n"
	"\r\n"
	"json\r\n"
	"------formdata-undici-015533542570\r\n"
	"Content-Disposition: form-data; name=\"temperature\"\r\n"
	"\r\n"
	"0\r\n"
	"------formdata-undici-015533542570\r\n"
	"Content-Disposition: form-data; name=\"timestamp_granularities[]\"\r\n"
	"\r\n"
	"word\r\n"
	"------formdata-undici-015533542570\r\n"
	"Content-Disposition: form-data; name=\"timestamp_granularities[]\"\r\n"
	"\r\n"
	"segment\r\n"
	"------formdata-undici-015533542570--\r\n"
	"";
static const char sdk_audio_transcriptions_ct[] = "multipart/form-data; boundary=----formdata-undici-015533542570";

#define S(x) str_make((x), sizeof(x) - 1)
#define WAV "RIFF$\0\0\0WAVEfmt "
#define WAVN 16

#endif

/* xlate_codec.c — the (adapter, operation) -> translator table. Each native
 * family adds its rows here; STREAM_GLUE, the adapters of the stream-state
 * structs, is the only glue (the translators keep their typed signatures). */
#include "providers/xlate_codec.h"
#include "providers/xlate_anthropic.h"
#include "providers/xlate_bedrock.h"
#include "providers/xlate_cohere.h"
#include "providers/xlate_gemini.h"
#include "providers/xlate_gemini_embed.h"

/* The stream glue of family p: the codec's void * state handed to
 * xlate_<p>_stream_* as the typed struct (calling them through a function
 * pointer of another type would be undefined). STREAM_ROW(p) fills a row's
 * stream members with it; CHAT_ROW(p) a chat row's translator members. */
#define STREAM_GLUE(p)                                                                               \
	static void p##_init(void *st, const xlate_ctx *cx) { xlate_##p##_stream_init(st, cx); }      \
	static int p##_feed(void *st, str type, str data, arena *scratch, buf *out, xlate_err *err)    \
	{                                                                                            \
		return xlate_##p##_stream_feed(st, type, data, scratch, out, err);                     \
	}                                                                                            \
	static int p##_end(void *st, buf *out, xlate_err *err) { return xlate_##p##_stream_end(st, out, err); }
#define STREAM_ROW(p)                                                                                \
	.stream_size = sizeof(xlate_##p##_stream), .stream_init = p##_init, .stream_feed = p##_feed,   \
	.stream_end = p##_end
#define CHAT_ROW(p)                                                                                  \
	.request = xlate_##p##_request, .response = xlate_##p##_response, .error = xlate_##p##_error,    \
	STREAM_ROW(p)

STREAM_GLUE(anthropic)
STREAM_GLUE(gemini)
STREAM_GLUE(cohere)
STREAM_GLUE(bedrock)

/* ---- Anthropic Messages ---------------------------------------------------- */

static const xlate_codec anthropic_chat = {
	.name = "anthropic.chat",
	.id = "chatcmpl-anthropic",
	CHAT_ROW(anthropic),
	.header_name = "anthropic-beta",
	.header_value = xlate_anthropic_beta,
};

/* ---- Google generateContent (AI Studio and Vertex AI share the body) --------- */

static const xlate_codec gemini_chat = {
	.name = "gemini.chat",
	.id = "chatcmpl-gemini",
	CHAT_ROW(gemini),
};

/* Vertex AI: the same generateContent bodies, its own names */
static const xlate_codec vertex_chat = {
	.name = "vertex.chat",
	.id = "chatcmpl-vertex",
	CHAT_ROW(gemini),
};

/* Embeddings: AI Studio embedContent / batchEmbedContents, Vertex AI predict */
static const xlate_codec gemini_embeddings = {
	.name = "gemini.embeddings",
	.id = "gemini-embed",
	.request = xlate_gemini_embed_request,
	.response = xlate_gemini_embed_response,
	.error = xlate_gemini_error,
};

static const xlate_codec vertex_embeddings = {
	.name = "vertex.embeddings",
	.id = "vertex-embed",
	.request = xlate_gemini_embed_predict_request,
	.response = xlate_gemini_embed_predict_response,
	.error = xlate_gemini_error,
};

/* ---- Cohere v2 Chat and Embed (rerank is OpenAI-compatible) ---------------------- */

static const xlate_codec cohere_chat = {
	.name = "cohere.chat",
	.id = "chatcmpl-cohere",
	CHAT_ROW(cohere),
};

static const xlate_codec cohere_embeddings = {
	.name = "cohere.embeddings",
	.id = "cohere-embed",
	.request = xlate_cohere_embed_request,
	.response = xlate_bedrock_embed_response, /* knows Cohere's embeddings shapes */
	.error = xlate_cohere_error,
};

/* ---- AWS Bedrock: Converse / ConverseStream chat, InvokeModel embeddings ------------ */

static const xlate_codec bedrock_chat = {
	.name = "bedrock.chat",
	.id = "chatcmpl-bedrock",
	CHAT_ROW(bedrock),
};

static const xlate_codec bedrock_embeddings = {
	.name = "bedrock.embeddings",
	.id = "bedrock-embed",
	.request = xlate_bedrock_embed_request,
	.response = xlate_bedrock_embed_response,
	.error = xlate_bedrock_error,
};

/* ---- the table ------------------------------------------------------------------ */

static const struct {
	provider_adapter adapter;
	provider_op op;
	const xlate_codec *codec;
} rows[] = {
	{ PROVIDER_ADAPTER_ANTHROPIC, PROVIDER_OP_CHAT, &anthropic_chat },
	{ PROVIDER_ADAPTER_GEMINI, PROVIDER_OP_CHAT, &gemini_chat },
	{ PROVIDER_ADAPTER_GEMINI, PROVIDER_OP_EMBEDDINGS, &gemini_embeddings },
	{ PROVIDER_ADAPTER_VERTEX, PROVIDER_OP_CHAT, &vertex_chat },
	{ PROVIDER_ADAPTER_VERTEX, PROVIDER_OP_EMBEDDINGS, &vertex_embeddings },
	{ PROVIDER_ADAPTER_BEDROCK, PROVIDER_OP_CHAT, &bedrock_chat },
	{ PROVIDER_ADAPTER_BEDROCK, PROVIDER_OP_EMBEDDINGS, &bedrock_embeddings },
	{ PROVIDER_ADAPTER_COHERE, PROVIDER_OP_CHAT, &cohere_chat },
	{ PROVIDER_ADAPTER_COHERE, PROVIDER_OP_EMBEDDINGS, &cohere_embeddings },
};

const xlate_codec *xlate_codec_for(provider_adapter a, provider_op op)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (rows[i].adapter == a && rows[i].op == op)
			return rows[i].codec;
	return NULL;
}

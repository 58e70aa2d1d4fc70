/* orma-sql-text.c: SQL written by hand, with named parameters.
 *
 *   SELECT * FROM users WHERE name = :name OR nickname = :name
 *
 * Each ":name" becomes the dialect's placeholder (? or $n) and its value
 * is bound, once per occurrence, so the text runs as a prepared
 * statement like the compiler's own. The scanner knows just enough SQL
 * not to see parameters where there are none: inside '...' strings,
 * "..." identifiers, -- and block comments, and in PostgreSQL's "::type"
 * casts. On PostgreSQL it also knows the forms SQLite does not have:
 * E'...' strings with backslash escapes, $$...$$ and $tag$...$tag$
 * strings, and block comments that nest.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "orma-compiler-private.h"
#include "orma-error-private.h"

/* After the closing quote; a doubled quote is part of the token */
static const char *
skip_quoted (const char *p)
{
  char quote = *p++;

  for (; *p != '\0'; p++)
    {
      if (*p == quote)
        {
          if (p[1] != quote)
            return p + 1;
          p++;
        }
    }
  return p;
}

/* Where a block comment starting at @p ends; PostgreSQL's nest */
static const char *
skip_block_comment (const char *p, gboolean nested)
{
  guint depth = 0;

  for (; *p != '\0'; p++)
    {
      if (p[0] == '/' && p[1] == '*' && (depth == 0 || nested))
        {
          depth++;
          p++;
        }
      else if (p[0] == '*' && p[1] == '/')
        {
          p++;
          if (--depth == 0)
            return p + 1;
        }
    }
  return p;
}

/* After the closing quote of an E'...' string whose quote is at @p: a
 * backslash escapes the next character, and '' still stands for ' */
static const char *
skip_escaped_string (const char *p)
{
  for (p++; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '\'')
        {
          if (p[1] != '\'')
            return p + 1;
          p++;
        }
    }
  return p;
}

/* A character that continues a PostgreSQL identifier ("a$b" is one) */
static gboolean
is_identifier_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '$' || (c & 0x80) != 0;
}

/* After a dollar-quoted string whose opening $tag$ (or $$) is at @p, or
 * NULL when @p starts no such tag ($1 is a positional parameter) */
static const char *
skip_dollar_quoted (const char *p)
{
  const char *tag_end = p + 1;
  g_autofree char *tag = NULL;
  const char *close;

  if (*tag_end != '$')
    {
      if (!(g_ascii_isalpha (*tag_end) || *tag_end == '_' || (*tag_end & 0x80)))
        return NULL;
      while (g_ascii_isalnum (*tag_end) || *tag_end == '_' || (*tag_end & 0x80))
        tag_end++;
      if (*tag_end != '$')
        return NULL;
    }
  tag = g_strndup (p, tag_end + 1 - p);
  close = strstr (tag_end + 1, tag);
  return close != NULL ? close + strlen (tag) : p + strlen (p);
}

/* Where a string, quoted identifier or comment starting at @p ends, or
 * NULL when @p starts none of them. An unterminated one runs to the end
 * of the text, as the database will read it. @at_word_start: @p does not
 * continue an identifier (E'...' and $tag$ only start a token there). */
static const char *
skip_opaque (const char *p, gboolean postgresql, gboolean at_word_start)
{
  const char *end;

  if (*p == '\'' || *p == '"')
    return skip_quoted (p);
  if (p[0] == '-' && p[1] == '-')
    {
      end = strchr (p, '\n');
      return end != NULL ? end : p + strlen (p);
    }
  if (p[0] == '/' && p[1] == '*')
    return skip_block_comment (p, postgresql);
  if (!postgresql || !at_word_start)
    return NULL;
  if ((p[0] == 'E' || p[0] == 'e') && p[1] == '\'')
    return skip_escaped_string (p + 1);
  if (p[0] == '$')
    return skip_dollar_quoted (p);
  return NULL;
}

static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* A ":name" parameter at @p: binds its value and writes a placeholder;
 * returns where the name ends, or NULL (with @error) for a name that
 * has no value. */
static const char *
bind_parameter (const OrmaDialect *dialect,
                const char        *p,
                GHashTable        *values,
                GPtrArray         *params,
                GString           *out,
                GError           **error)
{
  /* a NULL value in the table stands for SQL NULL */
  static const GValue null_value = G_VALUE_INIT;
  const char *end = p + 1;
  g_autofree char *name = NULL;
  gpointer value = NULL;

  while (is_name_char (*end))
    end++;
  name = g_strndup (p + 1, end - (p + 1));
  if (values == NULL ||
      !g_hash_table_lookup_extended (values, name, NULL, &value))
    {
      _orma_set_error (error, ORMA_ERROR_INVALID_QUERY,
                       "No value bound for the parameter :%s", name);
      return NULL;
    }
  g_ptr_array_add (params, value != NULL ? value : (gpointer) &null_value);
  _orma_dialect_append_param (dialect, out, params->len);
  return end;
}

char *
_orma_compile_text (const OrmaDialect *dialect,
                    const char        *text,
                    GHashTable        *values,
                    GPtrArray         *params,
                    GError           **error)
{
  g_autoptr (GString) out = NULL;
  gboolean postgresql;
  guint n_params;
  const char *p;

  g_return_val_if_fail (dialect != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  postgresql = strcmp (dialect->name, "postgresql") == 0;
  n_params = params->len;
  out = g_string_sized_new (strlen (text) + 16);
  for (p = text; *p != '\0';)
    {
      const char *end = skip_opaque (p, postgresql,
                                     p == text || !is_identifier_char (p[-1]));

      if (end == NULL && p[0] == ':' && p[1] == ':')
        end = p + 2;                       /* a cast: x::int */
      if (end == NULL && p[0] == ':' && is_name_start (p[1]))
        {
          p = bind_parameter (dialect, p, values, params, out, error);
          if (p == NULL)
            {
              /* leave @params as it was given */
              g_ptr_array_set_size (params, n_params);
              return NULL;
            }
          continue;
        }
      if (end == NULL)
        end = p + 1;
      g_string_append_len (out, p, end - p);
      p = end;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

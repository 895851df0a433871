/* voice_folder.h — a user's folder of recordings to test a model on, read strictly.
 *
 * Every entry of the folder except dot files ('.', '..', '.DS_Store', ...) must be a regular file
 * named {digit}_{speaker}_{take}.wav (fsdd_parse_name) that wav_read accepts (not corrupt,
 * truncated, empty, all silence or out of range) and that lasts at most max_seconds; the folder
 * must hold at least one.  The first file that breaks a rule (in name order) is refused, naming
 * the file and the rule; nothing is skipped silently. */
#ifndef VOICE_FOLDER_H
#define VOICE_FOLDER_H
#include <stddef.h>
#include "voice_data.h"

#define VOICE_FOLDER_MAX_SECONDS 10.0

/* 0 with c filled (voice_clips_free), or -1 with one line in err. */
int voice_folder_read(const char *dir, double max_seconds, VoiceClips *c, char *err, size_t errlen);
#endif

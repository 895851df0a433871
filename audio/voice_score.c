/* voice_score.c — per-digit and per-speaker accuracy of a model on FSDD-named clips (see voice_score.h). */
#include "voice_score.h"
#include "escape.h"
#include "train.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

double voice_acc(long ok, long n) { return n > 0 ? (double)ok / (double)n : NAN; }

void voice_score_free(VoiceScore *s) {
    free(s->spk_n);
    free(s->spk_ok);
    memset(s, 0, sizeof *s);
}

int voice_score(Net *net, const ClassMap *cm, const Dataset *d, int n_speakers, VoiceScore *s) {
    memset(s, 0, sizeof *s);
    s->n_speakers = n_speakers;
    s->spk_n = calloc((size_t)(n_speakers > 0 ? n_speakers : 1), sizeof(long));
    s->spk_ok = calloc((size_t)(n_speakers > 0 ? n_speakers : 1), sizeof(long));
    int *pred = malloc(sizeof(int) * (size_t)(d->n ? d->n : 1));
    if (!s->spk_n || !s->spk_ok || !pred) { free(pred); voice_score_free(s); return -1; }
    train_predict(net, d, 256, pred, NULL);
    for (int i = 0; i < d->n; i++) {
        int y = d->y[i], g = d->group ? d->group[i] : 0;
        if (classmap_slot(cm, y) < 0) { s->unscored++; continue; }
        int ok = cm->slot_class[pred[i]] == y;
        s->n++; s->correct += ok;
        if (y >= 0 && y < 10) { s->digit_n[y]++; s->digit_ok[y] += ok; }
        if (g >= 0 && g < n_speakers) { s->spk_n[g]++; s->spk_ok[g] += ok; }
    }
    free(pred);
    return 0;
}

void voice_score_table(FILE *f, const VoiceScore *s, char *const *speakers) {
    fprintf(f, "| digit | clips | accuracy |\n| --- | --- | --- |\n");
    for (int k = 0; k < 10; k++)
        if (s->digit_n[k]) fprintf(f, "| %d | %ld | %.2f%% |\n", k, s->digit_n[k], 100 * voice_acc(s->digit_ok[k], s->digit_n[k]));
    fprintf(f, "\n| speaker | clips | accuracy |\n| --- | --- | --- |\n");
    for (int g = 0; g < s->n_speakers; g++)
        if (s->spk_n[g]) fprintf(f, "| %s | %ld | %.2f%% |\n", esc(speakers[g]), s->spk_n[g], 100 * voice_acc(s->spk_ok[g], s->spk_n[g]));
    fprintf(f, "\n| **all** | %ld | **%.2f%%** |\n", s->n, 100 * voice_acc(s->correct, s->n));
}

void voice_score_json(JsonWriter *w, const VoiceScore *s, char *const *speakers) {
    jw_object(w, JW_LINES);
    jw_key(w, "n"); jw_int(w, s->n);
    jw_key(w, "correct"); jw_int(w, s->correct);
    jw_key(w, "accuracy"); jw_fixed(w, voice_acc(s->correct, s->n), 6);
    jw_key(w, "unscored"); jw_int(w, s->unscored);
    jw_key(w, "per_digit"); jw_object(w, JW_INLINE);
    char k[2] = "0";
    for (int d = 0; d < 10; d++)
        if (s->digit_n[d]) { k[0] = (char)('0' + d); jw_key(w, k); jw_fixed(w, voice_acc(s->digit_ok[d], s->digit_n[d]), 6); }
    jw_end(w);
    jw_key(w, "per_speaker"); jw_object(w, JW_LINES);
    for (int g = 0; speakers && g < s->n_speakers; g++)
        if (s->spk_n[g]) { jw_key(w, speakers[g]); jw_fixed(w, voice_acc(s->spk_ok[g], s->spk_n[g]), 6); }
    jw_end(w);
    jw_end(w);
}

/* speech_main.c — bin/speech-unlearn: the audio CLI, the shared driver plus the speech-only commands. */
#include "ablate_cli.h"
#include "driver.h"
#include "folder_eval_cli.h"
#include "loso_cli.h"
#include "speech_modality.h"

static const DriverCommand speech_commands[] = {
    {"loso", "leave-one-speaker-out: train on five speakers, test on the sixth, every fold, one table", cmd_loso},
    {"eval-folder", "score a model on a folder of your own {digit}_{speaker}_{take}.wav recordings", cmd_eval_folder},
    {"ablate", "what each piece of a recipe buys, on validation speakers and voices (never the test ones)", cmd_ablate},
    {NULL, NULL, NULL},
};

int main(int argc, char **argv) { return driver_main_with(&speech_modality, speech_commands, argc, argv); }

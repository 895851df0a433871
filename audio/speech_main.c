/* speech_main.c — bin/speech-unlearn: the audio CLI, a thin front end over the shared driver. */
#include "speech_modality.h"
#include "driver.h"
int main(int argc, char **argv) { return driver_main(&speech_modality, argc, argv); }

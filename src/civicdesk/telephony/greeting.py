"""What a caller hears: the agency's greeting in English and Spanish, the recording notice, and the voicemail prompt.

Built with the twilio SDK's VoiceResponse. Nothing here reads the database: the view passes the agency's names and
whether it is open now.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext
from twilio.twiml.voice_response import VoiceResponse

# The two languages of every greeting, and the voice each is read in (Twilio's <Say language>).
LANGUAGES = (("en", "en-US"), ("es", "es-US"))
MAX_MESSAGE_SECONDS = 180  # a voicemail longer than three minutes is cut there
FINISH_KEY = "#"


@dataclass(frozen=True)
class Callbacks:
    recording: str  # the <Record> action and its status callback (endpoints.Endpoint.RECORDING)
    transcription: str  # transcribeCallback (endpoints.Endpoint.TRANSCRIPTION)


def greeting_text(agency_name: str, *, open_now: bool, language: str) -> str:
    """The whole greeting in one language: welcome, recording notice, hours, and how to leave a message."""
    with translation.override(language):
        parts = [gettext("Thank you for calling %(agency)s.") % {"agency": agency_name},
                 gettext("This call is recorded.")]
        if open_now:
            parts.append(gettext("All of our staff are helping other residents right now."))
        else:
            parts.append(gettext("Our office is closed now."))
        parts.append(gettext("After the tone, please leave your name, your phone number and how we can help. "
                             "Press the pound key when you are done."))
        parts.append(gettext("We will call you back during business hours."))
    return " ".join(parts)


def farewell_text(language: str) -> str:
    with translation.override(language):
        return gettext("Thank you. Your message was received. Goodbye.")


def no_message_text(language: str) -> str:
    with translation.override(language):
        return gettext("We did not receive a message. Goodbye.")


def answer(names: dict[str, str], *, open_now: bool, callbacks: Callbacks) -> str:
    """The TwiML of an incoming call: both greetings, then <Record> with its callbacks and transcription."""
    response = VoiceResponse()
    for language, voice_language in LANGUAGES:
        response.say(greeting_text(names.get(language) or names["en"], open_now=open_now, language=language),
                     language=voice_language)
    response.record(action=callbacks.recording, method="POST", max_length=MAX_MESSAGE_SECONDS,
                    finish_on_key=FINISH_KEY, play_beep=True, recording_status_callback=callbacks.recording,
                    recording_status_callback_method="POST", recording_status_callback_event="completed",
                    transcribe=True, transcribe_callback=callbacks.transcription)
    for language, voice_language in LANGUAGES:  # reached only when the caller left no message
        response.say(no_message_text(language), language=voice_language)
    response.hangup()
    return str(response)


def farewell() -> str:
    """The answer to the <Record> action: thanks in both languages, then hang up."""
    response = VoiceResponse()
    for language, voice_language in LANGUAGES:
        response.say(farewell_text(language), language=voice_language)
    response.hangup()
    return str(response)


def apology() -> str:
    """What a caller hears when the greeting cannot be made (an error on our side): never a silent failure."""
    response = VoiceResponse()
    for language, voice_language in LANGUAGES:
        with translation.override(language):
            response.say(gettext("We are sorry: our phone line cannot take messages right now. Please call again "
                                 "later or write to us on our website."), language=voice_language)
    response.hangup()
    return str(response)


def empty() -> str:
    return str(VoiceResponse())

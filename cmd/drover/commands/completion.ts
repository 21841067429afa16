// `drover completion bash|zsh|fish`: the shell script that completes drover's commands, flags, kinds and object
// names. Each script is thin: it hands the words typed so far to `drover __complete` (cmd/drover/complete.ts)
// and offers what that prints; a `:files` line asks the shell for file names instead.
import { UsageError } from '../errors.ts';

/** The shells there is a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;

const BASH = `# drover completion for bash. Load it in this shell:  source <(drover completion bash)
# or for every shell:  drover completion bash > ~/.local/share/bash-completion/completions/drover
_drover_complete() {
  # The words as typed up to the cursor, split at spaces only (bash's COMP_WORDS also splits at = and :).
  local line="\${COMP_LINE:0:COMP_POINT}"
  local -a words
  read -r -a words <<< "$line"
  [[ "$line" =~ [[:space:]]$ || \${#words[@]} -eq 0 ]] && words+=("")
  local cur="\${words[\${#words[@]}-1]}"
  local IFS=$'\\n'
  local -a candidates
  candidates=($("\${words[0]}" __complete "\${words[@]:1}" 2>/dev/null))
  if [[ "\${candidates[*]}" == ":files" ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
  fi
  # bash replaces only the part of the word after its last = or :, so offer that part.
  local tail="\${COMP_WORDS[COMP_CWORD]}"
  local prefix="\${cur%"$tail"}"
  COMPREPLY=("\${candidates[@]#"$prefix"}")
  # A value still to be typed (jsonpath=) takes no space after it.
  if [[ \${#COMPREPLY[@]} -eq 1 && "\${COMPREPLY[0]}" == *= ]]; then compopt -o nospace 2>/dev/null; fi
  return 0
}
complete -o default -F _drover_complete drover
`;

const ZSH = `#compdef drover
# drover completion for zsh. Load it in this shell:  source <(drover completion zsh)
# or for every shell: drover completion zsh > "\${fpath[1]}/_drover"  (with compinit in ~/.zshrc)
_drover() {
  local -a candidates
  candidates=("\${(@f)$("\${words[1]}" __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=(\${candidates:#})
  if [[ "\${candidates[1]}" == ":files" ]]; then
    _files
    return
  fi
  local -a spaced unspaced
  spaced=(\${candidates:#*=})
  unspaced=(\${(M)candidates:#*=})
  (( \${#spaced} )) && compadd -Q -- "\${spaced[@]}"
  (( \${#unspaced} )) && compadd -Q -S '' -- "\${unspaced[@]}"
}
if (( \${+functions[compdef]} )); then compdef _drover drover; fi
`;

const FISH = `# drover completion for fish. Load it in this shell:  drover completion fish | source
# or for every shell:  drover completion fish > ~/.config/fish/completions/drover.fish
function __drover_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l candidates ($tokens[1] __complete $tokens[2..-1] "$current" 2>/dev/null)
    if test "$candidates" = ":files"
        __fish_complete_path "$current"
        return
    end
    printf '%s\\n' $candidates
end
complete -c drover -f -a '(__drover_complete)'
`;

/** The completion script for `shell`. */
export function completionScript(shell: string): string {
  switch (shell) {
    case 'bash':
      return BASH;
    case 'zsh':
      return ZSH;
    case 'fish':
      return FISH;
    default:
      throw new UsageError(`unsupported shell "${shell}" (supported: ${COMPLETION_SHELLS.join(', ')})`);
  }
}
